// swift-tools-version:6.0
// The twin's Lambda custom runtime. Imports run one way:
// bootstrap -> TwinAPI -> (LambdaHTTP, TwinCore) ; LambdaRuntime -> CurlHTTP -> CShims.
import PackageDescription

let package = Package(
    name: "swift-twin-lambda",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "floor-runtime", targets: ["floor-runtime"]),
    ],
    targets: [
        // C at the bottom: typed wrappers for libcurl's variadic calls, and the
        // glibc symbol-version pins that keep the binary loadable on provided.al2023.
        .target(
            name: "CShims",
            linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        // One reusable libcurl handle: HTTP requests with timeouts, nothing Lambda- or AWS-specific.
        .target(name: "CurlHTTP", dependencies: ["CShims"]),
        // AWS without an SDK: SigV4, credentials, endpoints, retries, typed errors.
        .target(name: "AWSCore", dependencies: ["CShims", "CurlHTTP", "SimpleJSON", "Observability"]),
        // A small JSON value type with a fast parser and writer.
        .target(name: "SimpleJSON"),
        // Structured log lines (and metrics) in the formats CloudWatch reads.
        .target(name: "Observability", dependencies: ["SimpleJSON"]),
        // The Lambda Runtime API client, invocation context and run loop. Knows nothing of HTTP events.
        .target(name: "LambdaRuntime", dependencies: ["CurlHTTP", "SimpleJSON", "Observability"]),
        // API Gateway / Function URL / ALB events <-> one HTTP request/response type, router, CORS.
        .target(name: "LambdaHTTP", dependencies: ["SimpleJSON"]),
        // The chat core: configuration, sessions, memory, the chat model protocol.
        .target(name: "TwinCore", dependencies: ["SimpleJSON", "Observability"]),
        // The twin's HTTP API: routes mapping HTTP requests onto the chat core, and the
        // per-invocation path from event bytes to response bytes.
        .target(name: "TwinAPI", dependencies: ["LambdaRuntime", "LambdaHTTP", "TwinCore", "SimpleJSON", "Observability"]),
        // The chat core's AWS backends: Bedrock Converse, S3 and DynamoDB memory.
        .target(name: "TwinAWS", dependencies: ["AWSCore", "TwinCore", "CurlHTTP", "SimpleJSON", "Observability"]),
        .executableTarget(
            name: "bootstrap",
            dependencies: ["LambdaRuntime", "TwinAPI", "TwinCore", "TwinAWS", "AWSCore", "Observability", "CurlHTTP"]
        ),
        // make bench's floor: the same runtime client answering with a constant.
        .executableTarget(name: "floor-runtime", dependencies: ["LambdaRuntime", "CurlHTTP", "Observability"]),
        .testTarget(name: "SimpleJSONTests", dependencies: ["SimpleJSON"]),
        .testTarget(name: "LambdaHTTPTests", dependencies: ["LambdaHTTP", "SimpleJSON"], exclude: ["Fixtures"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "CurlHTTP", "SimpleJSON"], exclude: ["Fixtures"]),
        .testTarget(name: "TwinAWSTests", dependencies: ["TwinAWS", "TwinCore", "AWSCore", "SimpleJSON"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "CurlHTTP", "Observability", "SimpleJSON"]),
        .testTarget(name: "TwinCoreTests", dependencies: ["TwinCore", "SimpleJSON"]),
        .testTarget(name: "TwinAPITests", dependencies: ["TwinAPI", "TwinCore", "LambdaHTTP", "LambdaRuntime", "SimpleJSON", "Observability"]),
    ]
)
