/// Where conversations are kept. Every backend stores the twin's message list per session.
public protocol ConversationStore: AnyObject {
    /// A short name for `/` and `/health` (`local`, `S3`, `DynamoDB`).
    var storageName: String { get }
    /// Every message of the session, oldest first; empty for an unknown session.
    func load(_ session: SessionID) throws(MemoryError) -> [Message]
    /// The last `limit` messages, oldest first. Backends that can read less than everything do.
    func recent(_ session: SessionID, limit: Int) throws(MemoryError) -> [Message]
    /// Appends the messages of one turn, all or nothing, without losing concurrent appends.
    func append(_ messages: [Message], to session: SessionID) throws(MemoryError)
    /// Removes the session; false when there was nothing to remove.
    func delete(_ session: SessionID) throws(MemoryError) -> Bool
}

extension ConversationStore {
    public func recent(_ session: SessionID, limit: Int) throws(MemoryError) -> [Message] {
        let all = try load(session)
        return Array(all.suffix(max(0, limit)))
    }
}

/// A memory backend failure. `message` is safe to show a client; `underlying` goes to logs.
public struct MemoryError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable, Equatable {
        case corrupt, io, accessDenied, conflict, unavailable, configuration
    }

    public let code: Code
    public let message: String
    public let underlying: String?

    public init(_ code: Code, _ message: String, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { underlying.map { "\(message) (\($0))" } ?? message }
}
