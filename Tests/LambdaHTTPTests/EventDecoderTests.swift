import LambdaHTTP
import SimpleJSON
import Testing

@Suite struct EventDecoding {
    @Test func thereAreFixturesOfEveryKind() {
        #expect(Fixtures.requestFiles.count >= 70)
    }

    @Test(arguments: Fixtures.requestFiles)
    func everyPeerFixtureDecodes(_ name: String) throws {
        let request = try EventDecoder.decode(try Fixtures.bytes(name))
        #expect(!request.method.isEmpty, "\(name): no method")
        #expect(request.path.hasPrefix("/"), "\(name): path \(request.path)")
        let shape = request.shape
        if name.lowercased().contains("alb") { #expect(shape == .alb(multiValue: true) || shape == .alb(multiValue: false)) }
        if name.contains("function-url") || name.contains("lambda-urls") || name.contains("FunctionURL") || name.contains("lambdaFunctionUrl") {
            #expect(shape == .functionURL, "\(name): \(shape)")
        }
    }

    @Test func restV1WithMultiValueHeadersAndQuery() throws {
        let r = try EventDecoder.decode(try Fixtures.bytes("aws-lambda-rust-runtime/apigw_multi_value_proxy_request.json"))
        #expect(r.shape == .apiGatewayV1(multiValue: true))
        #expect(r.method == "POST")
        #expect(r.headers["ACCEPT"] != nil)  // case-insensitive
        #expect(r.query.count >= 2)
        #expect(r.sourceIP != nil)
    }

    @Test func httpApiV2CookiesQueryAndBody() throws {
        let r = try EventDecoder.decode(try Fixtures.bytes("aws-lambda-rust-runtime/apigw_v2_proxy_request.json"))
        #expect(r.shape == .apiGatewayV2)
        #expect(r.cookies.count == 2)
        #expect(r.requestID != nil)
        #expect(r.sourceIP != nil)
    }

    @Test func httpApiV2StagePrefixIsRemoved() throws {
        let r = try EventDecoder.decode(try Fixtures.bytes("aws-lambda-rust-runtime/apigw_v2_proxy_request_with_stage_in_path.json"))
        let event = try JSON.parse(try Fixtures.bytes("aws-lambda-rust-runtime/apigw_v2_proxy_request_with_stage_in_path.json"))
        let stage = event["requestContext"]?["stage"]?.string ?? ""
        #expect(event["rawPath"]?.string?.hasPrefix("/\(stage)/") == true)
        #expect(!r.path.hasPrefix("/\(stage)/"))
        #expect(r.rawPath == event["rawPath"]?.string)
    }

    @Test func base64BodiesAreDecoded() throws {
        let r = try EventDecoder.decode(try Fixtures.bytes("aws-lambda-go/function-url-domain-only-request-with-base64-encoded-body.json"))
        let event = try JSON.parse(try Fixtures.bytes("aws-lambda-go/function-url-domain-only-request-with-base64-encoded-body.json"))
        #expect(r.body == Base64.decode(event["body"]!.string!))
        #expect(!r.body.isEmpty)
    }

    @Test func albMultiValueModeAndEncodedQuery() throws {
        let r = try EventDecoder.decode(try Fixtures.bytes("aws-lambda-rust-runtime/alb_multi_value_request_encoded_query_parameters.json"))
        #expect(r.shape == .alb(multiValue: true))
        #expect(!r.query.isEmpty)
        #expect(r.query.allSatisfy { !$0.value.contains("%") })
    }

    @Test func minimalConsoleEvents() throws {
        let v1 = try EventDecoder.decode(Array(#"{"httpMethod":"GET","path":"/health"}"#.utf8))
        #expect(v1.method == "GET" && v1.path == "/health" && v1.shape == .apiGatewayV1(multiValue: false))
        let v2 = try EventDecoder.decode(Array(#"{"rawPath":"/health","requestContext":{"http":{"method":"GET"}}}"#.utf8))
        #expect(v2.method == "GET" && v2.path == "/health" && v2.shape == .apiGatewayV2)
    }

    @Test func nullsWhereObjectsAreExpectedAreTolerated() throws {
        let event = #"{"httpMethod":"POST","path":"/chat","headers":null,"multiValueHeaders":null,"queryStringParameters":null,"requestContext":null,"body":null,"isBase64Encoded":null}"#
        let r = try EventDecoder.decode(Array(event.utf8))
        #expect(r.method == "POST" && r.body.isEmpty && r.headers.isEmpty)
    }

    @Test func functionURLEventsFromTheEmulatorUseTheV2Method() throws {
        // cargo-lambda sends a constant top-level httpMethod and explicit nulls.
        let event = #"{"version":"2.0","httpMethod":"GET","rawPath":"/chat","rawQueryString":"","headers":{"content-type":"application/json"},"requestContext":{"http":{"method":"POST","path":"/chat","sourceIp":"127.0.0.1"},"accountId":null,"apiId":null,"stage":"$default"},"body":"{}","isBase64Encoded":false,"type":null}"#
        let r = try EventDecoder.decode(Array(event.utf8))
        #expect(r.method == "POST" && r.shape == .functionURL && r.body == Array("{}".utf8))
    }

    @Test(arguments: ["[]", "42", "{\"key1\":\"value1\"}", "not json", "{\"Records\":[{\"eventSource\":\"aws:s3\"}]}"])
    func nonHTTPEventsNameWhatWasExpected(_ text: String) {
        #expect {
            try EventDecoder.decode(Array(text.utf8))
        } throws: { error in
            "\(error)".contains("API Gateway") && "\(error)".contains("ALB")
        }
    }

    @Test func aFlaggedBodyThatIsNotBase64IsKeptAsText() throws {
        let r = try EventDecoder.decode(Array(#"{"httpMethod":"POST","path":"/chat","body":"Hello from Lambda!","isBase64Encoded":true}"#.utf8))
        #expect(r.body == Array("Hello from Lambda!".utf8))
    }
}
