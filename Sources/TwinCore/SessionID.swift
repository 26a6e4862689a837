/// A validated session id: a UUID or 1–128 of `[A-Za-z0-9_-]`. Anything else
/// (dots, slashes, `..`) is refused before it can name a file or an object key.
public struct SessionID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        let utf8 = text.utf8
        guard (1...128).contains(utf8.count) else { return nil }
        for c in utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default:
                return nil
            }
        }
        value = text
    }

    public var description: String { value }

    public static let rule = "a session_id is 1-128 characters of letters, digits, '-' and '_' (a UUID fits)"
}
