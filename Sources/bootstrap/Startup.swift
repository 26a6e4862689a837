import AWSCore
import CurlHTTP
import Observability
import TwinAPI
import TwinAWS
import TwinCore

/// A start-up failure, reported to `/runtime/init/error`.
struct StartupError: Error {
    var errorType: String
    var message: String
}

/// The expensive work, done once per sandbox: configuration, credentials and
/// connections, memory, model, persona.
enum Startup {
    static func makeApp(environment: [String: String], logger: Logger) throws(StartupError) -> (TwinApp, AWSClient) {
        let config: TwinConfig
        do {
            config = try TwinConfig.fromEnvironment(environment)
        } catch {
            throw StartupError(errorType: "Runtime.InvalidConfiguration", message: error.message)
        }
        // One HTTPS connection pool (libcurl handle) for every AWS service, reused across invocations.
        let http = HTTPClient()
        let aws = AWSClient(http: http, credentials: CredentialProvider(environment: environment, http: http),
                            logger: logger, environment: environment)
        let store: ConversationStore
        do {
            store = try makeStore(config, aws: aws, environment: environment)
        } catch {
            throw StartupError(errorType: "Runtime.MemoryUnavailable", message: error.description)
        }
        let model = BedrockChatModel(
            options: .init(modelID: config.modelID, region: config.bedrockRegion, maxTokens: config.maxTokens,
                           temperature: config.temperature, topP: config.topP, fallbackModels: config.fallbackModels,
                           timeoutMilliseconds: config.bedrockTimeoutMilliseconds),
            client: aws, environment: environment, logger: logger)
        let prompt = Persona.systemPrompt(config: config, logger: logger, environment: environment)
        logger.info("twin ready", [("storage", .string(store.storageName)), ("model", .string(config.modelID)),
                                   ("bedrockRegion", .string(config.bedrockRegion))])
        return (TwinApp(twin: Twin(config: config, store: store, model: model, systemPrompt: prompt)), aws)
    }

    static func makeStore(_ config: TwinConfig, aws: AWSClient, environment: [String: String]) throws(MemoryError) -> ConversationStore {
        switch config.memoryBackend {
        case .file:
            return try FileMemoryStore(directory: config.memoryDirectory, syncWrites: !config.runsOnLambda)
        case .s3:
            return S3ConversationStore(bucket: config.s3Bucket!, prefix: config.s3Prefix, region: config.awsRegion,
                                       client: aws, environment: environment)
        case .dynamodb:
            return DynamoDBConversationStore(table: config.dynamoDBTable!, region: config.awsRegion, ttlDays: config.memoryTTLDays,
                                             client: aws, environment: environment)
        }
    }
}
