import SimpleJSON

/// One stored turn, as the Python twin writes it: `{"role", "content", "timestamp"}`.
public struct Message: Sendable, Equatable {
    public enum Role: String, Sendable { case user, assistant }

    public var role: Role
    public var content: String
    /// ISO 8601 text; kept as stored so the twin's own files round-trip unchanged.
    public var timestamp: String

    public init(role: Role, content: String, timestamp: String) {
        self.role = role
        self.content = content
        self.timestamp = timestamp
    }

    public var json: JSON {
        ["role": .string(role.rawValue), "content": .string(content), "timestamp": .string(timestamp)]
    }

    /// Reads a stored message; nil when it lacks a known role or text content.
    public init?(json: JSON) {
        guard let roleText = json["role"]?.string, let role = Role(rawValue: roleText),
              let content = json["content"]?.string else { return nil }
        self.init(role: role, content: content, timestamp: json["timestamp"]?.string ?? "")
    }
}

/// A conversation file or object: the JSON array the Python twin stores, pretty-printed the same way.
public enum ConversationDocument {
    public static func encode(_ messages: [Message]) -> [UInt8] {
        JSON.array(messages.map(\.json)).bytes(indent: 2)
    }

    /// - Throws: when the document is not a JSON array of messages: the caller must not overwrite it.
    public static func decode(_ bytes: [UInt8]) throws(MemoryError) -> [Message] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return [] }
        guard let items = (try? JSON.parse(bytes))?.array else {
            throw MemoryError(.corrupt, "the stored conversation is not a JSON array")
        }
        var messages: [Message] = []
        messages.reserveCapacity(items.count)
        for item in items {
            guard let m = Message(json: item) else { throw MemoryError(.corrupt, "the stored conversation holds an entry without role and content") }
            messages.append(m)
        }
        return messages
    }
}
