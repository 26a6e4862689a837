import Testing
import TwinCore

@Suite struct Configuration {
    @Test func defaultsMatchThePythonTwin() throws {
        let c = try TwinConfig.fromEnvironment([:])
        #expect(c.modelID == "amazon.nova-lite-v1:0")
        #expect(c.bedrockRegion == "us-east-1")
        #expect(c.memoryBackend == .file && c.memoryDirectory == "./memory")
        #expect(c.corsOrigins == "http://localhost:3000")
        #expect(c.historyMessages == 20 && c.maxTokens == 2000 && c.temperature == 0.7 && c.topP == 0.9)
    }

    @Test func lambdaUsesTmpAndRegionsResolveInOrder() throws {
        let c = try TwinConfig.fromEnvironment(["LAMBDA_TASK_ROOT": "/var/task", "AWS_REGION": "eu-west-1", "DEFAULT_AWS_REGION": "eu-central-1"])
        #expect(c.memoryDirectory == "/tmp/memory")
        #expect(c.bedrockRegion == "eu-central-1")
        #expect(c.awsRegion == "eu-west-1")
        #expect(try TwinConfig.fromEnvironment(["BEDROCK_REGION": "us-west-2", "DEFAULT_AWS_REGION": "eu-central-1"]).bedrockRegion == "us-west-2")
    }

    @Test func useS3SelectsS3Memory() throws {
        let c = try TwinConfig.fromEnvironment(["USE_S3": "True", "S3_BUCKET": "b", "S3_PREFIX": "memory"])
        #expect(c.memoryBackend == .s3 && c.usesS3 && c.s3Prefix == "memory/")
    }

    @Test(arguments: [
        (["MEMORY_BACKEND": "floppy"], "MEMORY_BACKEND"),
        (["USE_S3": "true"], "S3_BUCKET"),
        (["USE_S3": "maybe"], "USE_S3"),
        (["MEMORY_BACKEND": "dynamodb"], "DYNAMODB_TABLE"),
        (["HISTORY_MESSAGES": "-1"], "HISTORY_MESSAGES"),
        (["TEMPERATURE": "hot"], "TEMPERATURE"),
    ])
    func invalidSettingsNameTheVariable(_ env: [String: String], _ name: String) {
        #expect {
            try TwinConfig.fromEnvironment(env)
        } throws: { error in
            (error as? ConfigError)?.message.contains(name) == true
        }
    }
}
