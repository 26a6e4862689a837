import Testing
import TwinCore

@Suite struct SessionIDs {
    @Test(arguments: ["3f2b8c1e-5a4d-4e6f-9b7a-1c2d3e4f5a6b", "abc", "A_b-9", String(repeating: "x", count: 128)])
    func acceptsUUIDsAndSafeNames(_ text: String) {
        #expect(SessionID(text)?.value == text)
    }

    @Test(arguments: ["", "../../etc/passwd", "..", "a/b", "a.json", "a b", "é", "a\u{0}b", String(repeating: "x", count: 129), "%2e%2e"])
    func refusesAnythingThatCouldNameAnotherFile(_ text: String) {
        #expect(SessionID(text) == nil)
    }
}
