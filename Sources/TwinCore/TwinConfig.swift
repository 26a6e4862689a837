/// Where conversations are kept.
public enum MemoryBackend: String, Sendable {
    case file, s3, dynamodb
}

/// A configuration problem found at start-up; it names the variable to fix.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything the twin reads from its environment, read once at start-up.
/// The names are the Python twin's plus this runtime's own (see the README's table).
public struct TwinConfig: Sendable {
    public var modelID: String
    /// The Bedrock region: `BEDROCK_REGION`, else `DEFAULT_AWS_REGION`, else `AWS_REGION`.
    public var bedrockRegion: String
    public var memoryBackend: MemoryBackend
    public var memoryDirectory: String
    public var s3Bucket: String?
    public var s3Prefix: String
    public var dynamoDBTable: String?
    public var corsOrigins: String
    public var historyMessages: Int
    public var maxTokens: Int
    public var temperature: Double
    public var topP: Double
    public var systemPrompt: String?
    public var personaDirectory: String?
    /// The region of the memory bucket or table: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `DEFAULT_AWS_REGION`.
    public var awsRegion: String
    /// Models tried in order when the chosen one is throttled or unavailable (`BEDROCK_FALLBACK_MODELS`).
    public var fallbackModels: [String]
    /// Days a DynamoDB message lives (`MEMORY_TTL_DAYS`); nil keeps them.
    public var memoryTTLDays: Int?
    /// Longest a Bedrock call may take (`BEDROCK_TIMEOUT_MS`); the invocation's remaining time lowers it.
    public var bedrockTimeoutMilliseconds: Int
    /// Models a request may choose with its `model` field (`ALLOWED_MODELS`); by default the
    /// configured model and its fallbacks only.
    public var allowedModels: [String]
    /// CloudWatch namespace of the per-chat metrics (`METRICS_NAMESPACE`).
    public var metricsNamespace: String

    /// Models a request may name: `ALLOWED_MODELS`, else the configured model and its fallbacks.
    public var selectableModels: [String] {
        allowedModels.isEmpty ? [modelID] + fallbackModels : allowedModels
    }

    /// True inside a Lambda sandbox (`LAMBDA_TASK_ROOT` is set), where only /tmp is writable.
    public var runsOnLambda: Bool

    /// The twin's `USE_S3` flag as `/health` reports it.
    public var usesS3: Bool { memoryBackend == .s3 }

    public static func fromEnvironment(_ env: [String: String]) throws(ConfigError) -> TwinConfig {
        func value(_ name: String) -> String? {
            guard let v = env[name]?.trimmingWhitespace, !v.isEmpty else { return nil }
            return v
        }
        func integer(_ name: String, default d: Int, range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard let text = value(name) else { return d }
            guard let v = Int(text), range.contains(v) else {
                throw ConfigError("\(name)=\(text) is not an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }
        func decimal(_ name: String, default d: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
            guard let text = value(name) else { return d }
            guard let v = Double(text), range.contains(v) else {
                throw ConfigError("\(name)=\(text) is not a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return v
        }

        func list(_ name: String) -> [String] {
            (value(name) ?? "").split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        }

        let useS3Text = value("USE_S3")?.lowercased()
        if let useS3Text, !["true", "false", "1", "0", "yes", "no"].contains(useS3Text) {
            throw ConfigError("USE_S3=\(useS3Text) is not true or false")
        }
        let useS3 = useS3Text == "true" || useS3Text == "1" || useS3Text == "yes"
        let backend: MemoryBackend
        if let name = value("MEMORY_BACKEND") {
            guard let b = MemoryBackend(rawValue: name.lowercased()) else {
                throw ConfigError("MEMORY_BACKEND=\(name) is not one of file, s3, dynamodb")
            }
            backend = b
        } else {
            backend = useS3 ? .s3 : .file
        }
        if backend == .s3, value("S3_BUCKET") == nil {
            throw ConfigError("S3 memory needs S3_BUCKET (MEMORY_BACKEND=s3 or USE_S3=true)")
        }
        if backend == .dynamodb, value("DYNAMODB_TABLE") == nil {
            throw ConfigError("DynamoDB memory needs DYNAMODB_TABLE (MEMORY_BACKEND=dynamodb)")
        }
        // On Lambda only /tmp is writable.
        let onLambda = value("LAMBDA_TASK_ROOT") != nil
        var prefix = value("S3_PREFIX") ?? ""
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }

        return TwinConfig(
            modelID: value("BEDROCK_MODEL_ID") ?? "amazon.nova-lite-v1:0",
            bedrockRegion: value("BEDROCK_REGION") ?? value("DEFAULT_AWS_REGION") ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1",
            memoryBackend: backend,
            memoryDirectory: value("MEMORY_DIR") ?? (onLambda ? "/tmp/memory" : "./memory"),
            s3Bucket: value("S3_BUCKET"),
            s3Prefix: prefix,
            dynamoDBTable: value("DYNAMODB_TABLE"),
            corsOrigins: value("CORS_ORIGINS") ?? "http://localhost:3000",
            historyMessages: try integer("HISTORY_MESSAGES", default: 20, range: 0...1000),
            maxTokens: try integer("MAX_TOKENS", default: 2000, range: 1...200_000),
            temperature: try decimal("TEMPERATURE", default: 0.7, range: 0...2),
            topP: try decimal("TOP_P", default: 0.9, range: 0...1),
            systemPrompt: value("SYSTEM_PROMPT"),
            personaDirectory: value("PERSONA_DIR"),
            awsRegion: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? value("DEFAULT_AWS_REGION") ?? "us-east-1",
            fallbackModels: list("BEDROCK_FALLBACK_MODELS"),
            memoryTTLDays: value("MEMORY_TTL_DAYS") == nil ? nil : try integer("MEMORY_TTL_DAYS", default: 0, range: 1...36_500),
            bedrockTimeoutMilliseconds: try integer("BEDROCK_TIMEOUT_MS", default: 60_000, range: 100...900_000),
            allowedModels: list("ALLOWED_MODELS"),
            metricsNamespace: value("METRICS_NAMESPACE") ?? "DigitalTwin",
            runsOnLambda: onLambda
        )
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
