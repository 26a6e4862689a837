import LambdaHTTP
import SimpleJSON

/// The `POST /chat` body: `{"message": str, "session_id": str | null, "model": str | null}`.
/// Invalid JSON is a 400; a well-formed body with a missing, empty or mistyped field is a 422,
/// each with a detail naming the field, as FastAPI's validation answers.
struct ChatRequestBody {
    var message: String
    var sessionID: String?
    var model: String?

    init(bytes: [UInt8]) throws(HTTPError) {
        guard !bytes.isEmpty else {
            throw HTTPError(422, "request body is required: a JSON object with a \"message\" field")
        }
        let json: JSON
        do {
            json = try JSON.parse(bytes)
        } catch {
            throw HTTPError(400, "request body is not valid JSON: \(error)")
        }
        guard json.object != nil else { throw HTTPError(422, "request body must be a JSON object with a \"message\" field") }

        guard let messageValue = json["message"], !messageValue.isNull else {
            throw HTTPError(422, "field required: message")
        }
        guard let message = messageValue.string else { throw HTTPError(422, "message must be a string") }
        guard message.contains(where: { !$0.isWhitespace }) else { throw HTTPError(422, "message must not be empty") }
        guard message.count <= TwinApp.maxMessageCharacters else {
            throw HTTPError(422, "message is longer than \(TwinApp.maxMessageCharacters) characters")
        }
        self.message = message
        self.sessionID = try ChatRequestBody.optionalString(json, "session_id")
        self.model = try ChatRequestBody.optionalString(json, "model")
    }

    /// A field that may be absent, null, or a string; an empty string counts as absent.
    static func optionalString(_ json: JSON, _ name: String) throws(HTTPError) -> String? {
        guard let v = json[name], !v.isNull else { return nil }
        guard let s = v.string else { throw HTTPError(422, "\(name) must be a string or null") }
        return s.isEmpty ? nil : s
    }
}
