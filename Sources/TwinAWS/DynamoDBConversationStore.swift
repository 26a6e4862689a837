#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AWSCore
import SimpleJSON
import TwinCore

/// Conversations in a DynamoDB table keyed by `session_id` (S, partition) and `seq` (N, sort),
/// one item per message.
///
/// A turn is written as one transaction whose puts are guarded by `attribute_not_exists`,
/// at the sequence numbers after the newest item; when another writer took them the
/// transaction is cancelled, and the append reads the newest number again and retries.
/// History reads only the last N items (`ScanIndexForward=false`, `Limit`).
public final class DynamoDBConversationStore: ConversationStore {
    public var storageName: String { "DynamoDB" }
    public let table: String
    /// Days until items expire through the table's TTL (`expires_at`); nil keeps them.
    public let ttlDays: Int?
    private let client: AWSClient
    private let endpoint: AWSEndpoint
    private let signer: SigV4Signer
    public var maxWriteRounds = 64

    public init(table: String, region: String, ttlDays: Int?, client: AWSClient, environment: [String: String]) {
        self.table = table
        self.ttlDays = ttlDays
        self.client = client
        self.endpoint = AWSEndpoint.resolve(serviceID: "DynamoDB", hostPrefix: "dynamodb", region: region, environment: environment)
        self.signer = SigV4Signer(service: "dynamodb", region: region)
    }

    private func call(_ operation: String, _ body: JSON) throws(AWSError) -> JSON {
        let request = AWSRequest(method: "POST", endpoint: endpoint, path: "/",
                                 headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "DynamoDB_20120810.\(operation)")],
                                 body: body.bytes())
        let response = try client.send(request, signer: signer)
        return (try? JSON.parse(response.body)) ?? .object([])
    }

    private func key(_ session: SessionID) -> JSON { ["S": .string(session.value)] }

    /// One page of a Query on the session, newest first when `descending`.
    private func query(_ session: SessionID, descending: Bool, limit: Int?, startKey: JSON?, keysOnly: Bool = false) throws(AWSError) -> JSON {
        var body: [(String, JSON)] = [
            ("TableName", .string(table)),
            ("KeyConditionExpression", "session_id = :s"),
            ("ExpressionAttributeValues", [":s": key(session)]),
            ("ScanIndexForward", .bool(!descending)),
            ("ConsistentRead", true),
        ]
        if let limit { body.append(("Limit", .number(Double(limit)))) }
        if let startKey { body.append(("ExclusiveStartKey", startKey)) }
        if keysOnly {
            body.append(("ProjectionExpression", "session_id, seq"))
        }
        return try call("Query", .object(body))
    }

    private func isLive(_ item: JSON, now: Int) -> Bool {
        guard let text = item["expires_at"]?["N"]?.string, let expires = Int(text) else { return true }
        return expires > now
    }

    private func message(_ item: JSON) -> Message? {
        guard let role = item["role"]?["S"]?.string.flatMap(Message.Role.init(rawValue:)),
              let content = item["content"]?["S"]?.string else { return nil }
        return Message(role: role, content: content, timestamp: item["timestamp"]?["S"]?.string ?? "")
    }

    public func load(_ session: SessionID) throws(MemoryError) -> [Message] {
        var messages: [Message] = []
        var startKey: JSON? = nil
        let now = Int(time(nil))
        repeat {
            let page: JSON
            do {
                page = try query(session, descending: false, limit: nil, startKey: startKey)
            } catch {
                throw S3ConversationStore.memoryError(error, "could not read the conversation from DynamoDB")
            }
            for item in page["Items"]?.array ?? [] where isLive(item, now: now) {
                if let m = message(item) { messages.append(m) }
            }
            startKey = page["LastEvaluatedKey"].flatMap { $0.isNull ? nil : $0 }
        } while startKey != nil
        return messages
    }

    public func recent(_ session: SessionID, limit: Int) throws(MemoryError) -> [Message] {
        guard limit > 0 else { return [] }
        do {
            let page = try query(session, descending: true, limit: limit, startKey: nil)
            let now = Int(time(nil))
            return (page["Items"]?.array ?? []).filter { isLive($0, now: now) }.compactMap(message).reversed()
        } catch {
            throw S3ConversationStore.memoryError(error, "could not read the conversation from DynamoDB")
        }
    }

    public func append(_ messages: [Message], to session: SessionID) throws(MemoryError) {
        let expiresAt = ttlDays.map { Int(time(nil)) + $0 * 86_400 }
        for round in 1...maxWriteRounds {
            let next: Int
            do {
                let newest = try query(session, descending: true, limit: 1, startKey: nil, keysOnly: true)
                next = (newest["Items"]?.array?.first?["seq"]?["N"]?.string).flatMap { Int($0) }.map { $0 + 1 } ?? 1
            } catch {
                throw S3ConversationStore.memoryError(error, "could not save the conversation to DynamoDB")
            }
            let puts: [JSON] = messages.enumerated().map { offset, m in
                var item: [(String, JSON)] = [
                    ("session_id", key(session)),
                    ("seq", ["N": .string(String(next + offset))]),
                    ("role", ["S": .string(m.role.rawValue)]),
                    ("content", ["S": .string(m.content)]),
                    ("timestamp", ["S": .string(m.timestamp)]),
                ]
                if let expiresAt { item.append(("expires_at", ["N": .string(String(expiresAt))])) }
                return ["Put": [
                    "TableName": .string(table),
                    "Item": .object(item),
                    "ConditionExpression": "attribute_not_exists(seq)",
                ]]
            }
            do {
                _ = try call("TransactWriteItems", ["TransactItems": .array(puts)])
                return
            } catch {
                guard error.code == "TransactionCanceledException" || error.code == "ConditionalCheckFailedException"
                        || error.code == "TransactionConflictException"
                else { throw S3ConversationStore.memoryError(error, "could not save the conversation to DynamoDB") }
                usleep(useconds_t(Int.random(in: 1...min(200, 5 * round)) * 1000))
            }
        }
        throw MemoryError(.conflict, "the conversation is being written by too many requests at once",
                          underlying: "gave up after \(maxWriteRounds) transaction rounds")
    }

    public func delete(_ session: SessionID) throws(MemoryError) -> Bool {
        var deletedAny = false
        do {
            while true {
                let page = try query(session, descending: false, limit: 25, startKey: nil, keysOnly: true)
                let keys = page["Items"]?.array ?? []
                if keys.isEmpty { break }
                var pending: [JSON] = keys.map { ["DeleteRequest": ["Key": ["session_id": $0["session_id"] ?? .null, "seq": $0["seq"] ?? .null]]] }
                var rounds = 0
                while !pending.isEmpty && rounds < 10 {
                    rounds += 1
                    let result = try call("BatchWriteItem", ["RequestItems": .object([(table, .array(pending))])])
                    pending = result["UnprocessedItems"]?[table]?.array ?? []
                    if !pending.isEmpty { usleep(useconds_t(20_000 * rounds)) }
                }
                deletedAny = true
            }
        } catch {
            throw S3ConversationStore.memoryError(error, "could not delete the conversation from DynamoDB")
        }
        return deletedAny
    }
}
