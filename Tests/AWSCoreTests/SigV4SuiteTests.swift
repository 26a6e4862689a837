import AWSCore
import Foundation
import SimpleJSON
import Testing

/// The official AWS SigV4 test suite (Fixtures/sigv4, from awslabs/aws-c-auth; see its README).
enum SigV4Suite {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/context.json").path) }
            .sorted()
    }

    static func text(_ name: String, _ file: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)
    }

    /// Parses the raw request: request line, headers (folded lines kept with their newline), body.
    static func request(_ raw: String) -> SignableRequest {
        let parts = raw.components(separatedBy: "\n\n")
        var lines = parts[0].components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        var target = String(requestLine.dropFirst(method.count + 1))
        if let r = target.range(of: " HTTP/", options: .backwards) { target = String(target[..<r.lowerBound]) }
        let path = String(target.prefix { $0 != "?" })
        let query = target.count > path.count ? String(target.dropFirst(path.count + 1)) : ""
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].1 += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let body = parts.count > 1 ? Array(parts.dropFirst().joined(separator: "\n\n").utf8) : []
        return SignableRequest(method: method, path: path, query: query, headers: headers, body: body)
    }
}

@Suite struct SigV4OfficialSuite {
    @Test func theSuiteIsPresent() { #expect(SigV4Suite.cases.count >= 30) }

    @Test(arguments: SigV4Suite.cases)
    func reproducesCanonicalRequestStringToSignAndSignature(_ name: String) throws {
        let context = try JSON.parse(try SigV4Suite.text(name, "context.json"))
        let credentials = AWSCredentials(accessKeyID: context["credentials"]!["access_key_id"]!.string!,
                                         secretAccessKey: context["credentials"]!["secret_access_key"]!.string!,
                                         sessionToken: context["credentials"]?["token"]?.string)
        let timestamp = context["timestamp"]!.string!.filter { $0 != "-" && $0 != ":" }
        let signer = SigV4Signer(service: context["service"]!.string!, region: context["region"]!.string!, s3Rules: false,
                                 signPayloadHeader: context["sign_body"]?.bool ?? false,
                                 omitSessionTokenFromSignature: context["omit_session_token"]?.bool ?? false,
                                 normalizePath: context["normalize"]?.bool ?? true)
        let result = signer.sign(SigV4Suite.request(try SigV4Suite.text(name, "request.txt")), credentials: credentials, amzDate: timestamp)
        #expect(result.canonicalRequest == (try SigV4Suite.text(name, "header-canonical-request.txt")))
        #expect(result.stringToSign == (try SigV4Suite.text(name, "header-string-to-sign.txt")))
        #expect(result.signature == (try SigV4Suite.text(name, "header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        let signed = try SigV4Suite.text(name, "header-signed-request.txt")
        #expect(signed.contains("Authorization:\(result.authorization)"))
    }
}

@Suite struct SigV4Rules {
    let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3tValue", sessionToken: "t0kenValue")

    @Test func bedrockPathsAreDoubleEncodedS3PathsAreNot() {
        let bedrock = SigV4Signer(service: "bedrock", region: "us-east-1")
        let r = bedrock.sign(SignableRequest(method: "POST", path: "/model/amazon.nova-lite-v1%3A0/converse", headers: [("Host", "h")]),
                             credentials: credentials, amzDate: "20261122T000000Z")
        #expect(r.canonicalRequest.split(separator: "\n")[1] == "/model/amazon.nova-lite-v1%253A0/converse")
        let s3 = SigV4Signer(service: "s3", region: "us-east-1")
        let s = s3.sign(SignableRequest(method: "GET", path: "/bucket/a%3Ab/../c.json", headers: [("Host", "h")]),
                        credentials: credentials, amzDate: "20261122T000000Z")
        #expect(s.canonicalRequest.split(separator: "\n")[1] == "/bucket/a%3Ab/../c.json")
        #expect(s.headers.contains { $0.0 == "X-Amz-Content-Sha256" })
        #expect(s.headers.contains { $0.0 == "X-Amz-Security-Token" && $0.1 == "t0kenValue" })
        #expect(s.canonicalRequest.contains("x-amz-security-token:t0kenValue"))
    }

    @Test func credentialsNeverPrintTheirSecret() {
        #expect(!"\(credentials)".contains("s3cr3tValue") && !"\(credentials)".contains("t0kenValue"))
    }
}
