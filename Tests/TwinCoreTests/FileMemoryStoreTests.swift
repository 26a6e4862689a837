import Foundation
import SimpleJSON
import Testing
import TwinCore

@Suite struct FileMemory {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twin-memory-\(UUID().uuidString)/nested").path

    func message(_ role: Message.Role, _ text: String) -> Message { Message(role: role, content: text, timestamp: "2026-11-22T04:00:00.000Z") }

    @Test func appendsLoadsAndDeletes() throws {
        let store = try FileMemoryStore(directory: directory)
        let s = SessionID("s1")!
        #expect(try store.load(s).isEmpty)
        try store.append([message(.user, "hi"), message(.assistant, "hello")], to: s)
        try store.append([message(.user, "again"), message(.assistant, "sure")], to: s)
        #expect(try store.load(s).map(\.content) == ["hi", "hello", "again", "sure"])
        #expect(try store.recent(s, limit: 2).map(\.content) == ["again", "sure"])
        #expect(try store.delete(s))
        #expect(try store.delete(s) == false)
        #expect(try store.load(s).isEmpty)
    }

    @Test func readsAndWritesThePythonTwinsFileFormat() throws {
        let store = try FileMemoryStore(directory: directory)
        // What the Python twin writes: json.dumps(messages, indent=2), naive isoformat timestamps, \u escapes.
        let python = """
        [
          {
            "role": "user",
            "content": "Caf\\u00e9?",
            "timestamp": "2025-06-01T10:00:00.123456"
          },
          {
            "role": "assistant",
            "content": "Oui.",
            "timestamp": "2025-06-01T10:00:01.654321"
          }
        ]
        """
        try python.write(toFile: "\(directory)/py.json", atomically: true, encoding: .utf8)
        let s = SessionID("py")!
        let loaded = try store.load(s)
        #expect(loaded.map(\.content) == ["Café?", "Oui."])
        #expect(loaded[0].timestamp == "2025-06-01T10:00:00.123456")
        try store.append([message(.user, "x"), message(.assistant, "y")], to: s)
        let written = try String(contentsOfFile: "\(directory)/py.json", encoding: .utf8)
        #expect(written.hasPrefix("[\n  {\n    \"role\": \"user\",\n    \"content\": \"Café?\",\n    \"timestamp\": \"2025-06-01T10:00:00.123456\"\n  },"))
        let parsed = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [[String: String]]
        #expect(parsed?.count == 4)
    }

    @Test func aCorruptFileIsReportedAndNeverOverwritten() throws {
        let store = try FileMemoryStore(directory: directory)
        try "{not a list".write(toFile: "\(directory)/bad.json", atomically: true, encoding: .utf8)
        let s = SessionID("bad")!
        #expect(throws: MemoryError.self) { try store.load(s) }
        #expect(throws: MemoryError.self) { try store.append([message(.user, "x")], to: s) }
        #expect(try String(contentsOfFile: "\(directory)/bad.json", encoding: .utf8) == "{not a list")
    }

    @Test func writesLeaveNoTemporaryFiles() throws {
        let store = try FileMemoryStore(directory: directory)
        for i in 0..<5 { try store.append([message(.user, "m\(i)")], to: SessionID("t")!) }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }
        #expect(files == ["t.json"])
    }

    @Test func concurrentAppendersLoseNothing() throws {
        // Each writer has its own store, as separate Lambda processes sharing a folder would.
        let directory = self.directory
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            let store = try? FileMemoryStore(directory: directory)
            try? store?.append([Message(role: .user, content: "m\(i)", timestamp: "")], to: SessionID("shared")!)
        }
        let all = try FileMemoryStore(directory: directory).load(SessionID("shared")!).map(\.content)
        #expect(all.count == 40 && Set(all) == Set((0..<40).map { "m\($0)" }))
    }
}
