import AWSCore
import CurlHTTP
import Foundation
import Testing

@Suite struct Endpoints {
    @Test func serviceSpecificOverrideThenGlobalThenDefault() {
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:7000/base/"]
        let bedrock = AWSEndpoint.resolve(serviceID: "Bedrock Runtime", hostPrefix: "bedrock-runtime", region: "eu-west-1", environment: env)
        #expect(bedrock.origin == "http://127.0.0.1:7000" && bedrock.basePath == "/base" && bedrock.isCustom)
        let s3 = AWSEndpoint.resolve(serviceID: "S3", hostPrefix: "s3", region: "eu-west-1", environment: env)
        #expect(s3.host == "127.0.0.1:5000")
        let real = AWSEndpoint.resolve(serviceID: "DynamoDB", hostPrefix: "dynamodb", region: "eu-west-1", environment: [:])
        #expect(real.origin == "https://dynamodb.eu-west-1.amazonaws.com" && !real.isCustom)
    }
}

@Suite struct ErrorDecoding {
    func response(_ status: Int, _ body: String, _ headers: [(String, String)] = []) -> HTTPClientResponse {
        HTTPClientResponse(status: status, headers: headers, body: Array(body.utf8))
    }

    @Test func jsonTypeHeaderAndXML() {
        let dynamo = AWSError.decode(response(400, #"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#))
        #expect(dynamo.code == "ConditionalCheckFailedException" && dynamo.message == "The conditional request failed" && !dynamo.isRetryable)
        let bedrock = AWSError.decode(response(429, #"{"message":"Too many requests"}"#, [("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/")]))
        #expect(bedrock.code == "ThrottlingException" && bedrock.isThrottling && bedrock.isRetryable)
        let s3 = AWSError.decode(response(412, "<?xml version=\"1.0\"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>"))
        #expect(s3.code == "PreconditionFailed" && s3.status == 412 && !s3.isRetryable)
        let empty = AWSError.decode(response(503, ""))
        #expect(empty.isRetryable)
    }
}

@Suite struct CredentialChain {
    @Test func environmentFirst() throws {
        let p = CredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "T"], http: HTTPClient())
        let c = try p.credentials()
        #expect(c.accessKeyID == "AK" && c.secretAccessKey == "SK" && c.sessionToken == "T")
    }

    @Test func sharedFilesWithProfile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aws-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[default]\naws_access_key_id = DEF\naws_secret_access_key = DEFSECRET\n\n[work]\naws_access_key_id=WORK\naws_secret_access_key=WORKSECRET\naws_session_token=WT\n"
            .write(toFile: "\(dir)/credentials", atomically: true, encoding: .utf8)
        try "[profile other]\naws_access_key_id = OTHER\naws_secret_access_key = OS\n".write(toFile: "\(dir)/config", atomically: true, encoding: .utf8)
        let env = ["AWS_SHARED_CREDENTIALS_FILE": "\(dir)/credentials", "AWS_CONFIG_FILE": "\(dir)/config"]
        #expect(try CredentialProvider(environment: env, http: HTTPClient()).credentials().accessKeyID == "DEF")
        #expect(try CredentialProvider(environment: env.merging(["AWS_PROFILE": "work"]) { a, _ in a }, http: HTTPClient()).credentials().sessionToken == "WT")
        #expect(try CredentialProvider(environment: env.merging(["AWS_PROFILE": "other"]) { a, _ in a }, http: HTTPClient()).credentials().accessKeyID == "OTHER")
    }

    @Test func missingCredentialsSayWhatWasLookedFor() {
        let p = CredentialProvider(environment: ["HOME": "/nonexistent"], http: HTTPClient())
        #expect {
            try p.credentials()
        } throws: { error in
            let text = "\(error)"
            return text.contains("AWS_ACCESS_KEY_ID") && text.contains("/nonexistent/.aws/credentials") && text.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        }
    }
}

@Suite struct SigningTime {
    @Test func amzDateIsUTCBasicFormat() {
        #expect(AWSClient.amzDate(epochSeconds: 1_440_938_160) == "20150830T123600Z")
    }
}
