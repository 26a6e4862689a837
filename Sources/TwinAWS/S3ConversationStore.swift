#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AWSCore
import CurlHTTP
import TwinCore

/// Conversations as S3 objects `{prefix}{session_id}.json`, the Python twin's format.
///
/// An append reads the object and its ETag, adds the turn, and writes it back only if
/// nobody wrote in between (`If-Match: <etag>`, or `If-None-Match: *` for a new
/// session); a 412 or 409 means another writer won, so it reads again and retries.
/// Concurrent invocations on one session therefore never lose a message.
public final class S3ConversationStore: ConversationStore {
    public var storageName: String { "S3" }
    public let bucket: String
    public let prefix: String
    private let client: AWSClient
    private let endpoint: AWSEndpoint
    private let signer: SigV4Signer
    private let virtualHost: String?
    /// Read-modify-write rounds before giving up on a contended session.
    public var maxWriteRounds = 64

    public init(bucket: String, prefix: String, region: String, client: AWSClient, environment: [String: String]) {
        self.bucket = bucket
        self.prefix = prefix
        self.client = client
        self.endpoint = AWSEndpoint.resolve(serviceID: "S3", hostPrefix: "s3", region: region, environment: environment)
        self.signer = SigV4Signer(service: "s3", region: region)
        // Virtual-hosted addressing unless the endpoint is custom or the bucket name has dots (TLS names).
        let pathStyle = endpoint.isCustom || bucket.contains(".") || environment["AWS_S3_FORCE_PATH_STYLE"] == "true"
        self.virtualHost = pathStyle ? nil : "\(bucket).\(endpoint.host)"
    }

    func objectPath(_ session: SessionID) -> String {
        let key = SigV4Signer.uriEncode(prefix + session.value + ".json", keepSlash: true)
        return virtualHost == nil ? "/\(SigV4Signer.uriEncode(bucket, keepSlash: false))/\(key)" : "/\(key)"
    }

    private func request(_ method: String, _ session: SessionID, headers: [(String, String)] = [], body: [UInt8] = []) -> AWSRequest {
        AWSRequest(method: method, endpoint: endpoint, path: objectPath(session), headers: headers, body: body, host: virtualHost)
    }

    /// The object's messages and ETag; nil when it does not exist.
    private func read(_ session: SessionID) throws(MemoryError) -> (messages: [Message], etag: String)? {
        do {
            let response = try client.send(request("GET", session), signer: signer)
            let messages = try ConversationDocument.decode(response.body)
            return (messages, response.header("etag") ?? "")
        } catch let error as AWSError {
            if error.status == 404 || error.code == "NoSuchKey" { return nil }
            throw S3ConversationStore.memoryError(error, "could not read the conversation from S3")
        } catch let error as MemoryError {
            throw MemoryError(.corrupt, "the stored conversation for this session is unreadable", underlying: "s3://\(bucket)/\(prefix)\(session).json: \(error.message)")
        } catch {
            throw MemoryError(.io, "could not read the conversation from S3", underlying: "\(error)")
        }
    }

    public func load(_ session: SessionID) throws(MemoryError) -> [Message] {
        try read(session)?.messages ?? []
    }

    public func append(_ messages: [Message], to session: SessionID) throws(MemoryError) {
        for round in 1...maxWriteRounds {
            let current = try read(session)
            let all = (current?.messages ?? []) + messages
            var headers = [("Content-Type", "application/json")]
            if let current { headers.append(("If-Match", current.etag)) } else { headers.append(("If-None-Match", "*")) }
            do {
                _ = try client.send(request("PUT", session, headers: headers, body: ConversationDocument.encode(all)), signer: signer)
                return
            } catch {
                // 412: someone wrote first; 409: a concurrent conditional write is in flight.
                guard error.status == 412 || error.status == 409 || error.code == "PreconditionFailed" || error.code == "ConditionalRequestConflict"
                else { throw S3ConversationStore.memoryError(error, "could not save the conversation to S3") }
                usleep(useconds_t(Int.random(in: 1...min(200, 5 * round)) * 1000))
            }
        }
        throw MemoryError(.conflict, "the conversation is being written by too many requests at once",
                          underlying: "gave up after \(maxWriteRounds) conditional-write rounds")
    }

    public func delete(_ session: SessionID) throws(MemoryError) -> Bool {
        do {
            _ = try client.send(request("HEAD", session), signer: signer)
        } catch {
            if error.status == 404 { return false }
            throw S3ConversationStore.memoryError(error, "could not delete the conversation from S3")
        }
        do {
            _ = try client.send(request("DELETE", session), signer: signer)
            return true
        } catch {
            throw S3ConversationStore.memoryError(error, "could not delete the conversation from S3")
        }
    }

    static func memoryError(_ error: AWSError, _ what: String) -> MemoryError {
        let code: MemoryError.Code
        switch error.kind {
        case .credentials: code = .accessDenied
        case .transport, .deadline: code = .unavailable
        case .service:
            if error.status == 403 || error.code == "AccessDenied" { code = .accessDenied }
            else if error.isRetryable { code = .unavailable }
            else { code = .io }
        }
        return MemoryError(code, what, underlying: error.description)
    }
}
