#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CurlHTTP
import SimpleJSON

/// Finds credentials the way the AWS SDKs do, in order: the environment (what Lambda
/// provides), the shared credentials and config files, the container endpoint.
/// Caches them and refreshes temporary ones five minutes before they expire.
public final class CredentialProvider {
    private let environment: [String: String]
    private let http: HTTPClient
    private var cached: AWSCredentials?

    public init(environment: [String: String], http: HTTPClient) {
        self.environment = environment
        self.http = http
    }

    /// A fixed pair, for tests and tools.
    public init(static credentials: AWSCredentials) {
        self.environment = [:]
        self.http = HTTPClient(caBundle: nil)
        self.cached = credentials
    }

    public func credentials(now: Int64 = Int64(time(nil))) throws(AWSError) -> AWSCredentials {
        if let c = cached, c.expiration.map({ $0 - 300 > now }) ?? true { return c }
        let fresh = try resolve()
        cached = fresh
        return fresh
    }

    /// Forgets cached credentials (after the service rejected them as expired).
    public func invalidate() { cached = nil }

    private func value(_ name: String) -> String? {
        guard let v = environment[name], !v.isEmpty else { return nil }
        return v
    }

    private var profile: String { value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE") ?? "default" }
    private var home: String { value("HOME") ?? "/root" }
    private var credentialsFile: String { value("AWS_SHARED_CREDENTIALS_FILE") ?? "\(home)/.aws/credentials" }
    private var configFile: String { value("AWS_CONFIG_FILE") ?? "\(home)/.aws/config" }

    private func resolve() throws(AWSError) -> AWSCredentials {
        if let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        }
        if let c = fromSharedFiles() { return c }
        if value("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil || value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != nil {
            return try fromContainerEndpoint()
        }
        throw AWSError(kind: .credentials, code: "NoCredentials", message:
            "no AWS credentials found: looked for AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profile '\(profile)' in "
            + "\(credentialsFile) and \(configFile), and AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI")
    }

    private func fromSharedFiles() -> AWSCredentials? {
        for (path, section) in [(credentialsFile, profile), (configFile, profile == "default" ? "default" : "profile \(profile)")] {
            guard let text = readTextFile(path), let values = IniFile.section(section, in: text) else { continue }
            if let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] {
                return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
            }
        }
        return nil
    }

    private func fromContainerEndpoint() throws(AWSError) -> AWSCredentials {
        let url = value("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            ?? "http://169.254.170.2\(value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ?? "")"
        var headers: [(String, String)] = []
        if let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            headers.append(("Authorization", token))
        } else if let file = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), let token = readTextFile(file) {
            headers.append(("Authorization", token.filter { $0 != "\n" && $0 != "\r" }))
        }
        let response: HTTPClientResponse
        do {
            response = try http.send(HTTPClientRequest(method: "GET", url: url, headers: headers, timeoutMilliseconds: 5000))
        } catch {
            throw AWSError(kind: .credentials, code: "CredentialsEndpointUnreachable", message: "the container credentials endpoint could not be reached: \(error)")
        }
        guard response.status == 200, let json = try? JSON.parse(response.body),
              let key = json["AccessKeyId"]?.string, let secret = json["SecretAccessKey"]?.string
        else {
            throw AWSError(kind: .credentials, code: "CredentialsEndpointError",
                           message: "the container credentials endpoint answered HTTP \(response.status) without credentials", status: response.status)
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["Token"]?.string,
                              expiration: json["Expiration"]?.string.flatMap(ISO8601.epochSeconds))
    }
}

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`.
enum IniFile {
    static func section(_ name: String, in text: String) -> [String: String]? {
        var current: String?
        var values: [String: String]?
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmed
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmed
                if current == name { values = values ?? [:] }
                continue
            }
            guard current == name, let eq = line.firstIndex(of: "=") else { continue }
            values?[String(line[..<eq]).trimmed.lowercased()] = String(line[line.index(after: eq)...]).trimmed
        }
        return values
    }
}

/// Parses `2026-11-22T10:00:00Z` (and `+00:00`, fractions) to epoch seconds.
enum ISO8601 {
    static func epochSeconds(_ text: String) -> Int64? {
        let digits = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int32? {
            guard from + count <= digits.count else { return nil }
            var v: Int32 = 0
            for c in digits[from..<(from + count)] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int32(c - 48)
            }
            return v
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let s = number(17, 2) else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = mo - 1
        parts.tm_mday = d
        parts.tm_hour = h
        parts.tm_min = mi
        parts.tm_sec = s
        return Int64(timegm(&parts))
    }
}

func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n == 0 { break }
        out.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
