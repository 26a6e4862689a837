// A do-nothing Lambda runtime: the floor `make bench` compares the bootstrap with.
// It uses the same Runtime API client and loop, and answers every event with a fixed
// API Gateway response, so the gap to it is the cost of the twin's own work.
import CurlHTTP
import LambdaRuntime
import Observability

let environment = Environment.all
let logger = Logger(level: .error)
let response = Array(#"{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"healthy\"}","isBase64Encoded":false}"#.utf8)
do {
    let client = try RuntimeClient(environment: environment, logger: logger)
    try LambdaRunLoop.run(client: client, logger: logger) { _, _ in .success(response) }
} catch {
    logger.error("\(error)")
}
