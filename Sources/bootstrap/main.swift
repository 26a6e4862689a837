// The Lambda custom runtime's entry point: configure once, then serve invocations.
#if canImport(Glibc)
import Glibc
#endif
import AWSCore
import CurlHTTP
import LambdaRuntime
import Observability
import TwinAPI

let environment = Environment.all
let logger = Logger.fromEnvironment(environment)

let runtime: RuntimeClient
do {
    runtime = try RuntimeClient(environment: environment, logger: logger)
} catch {
    logger.log(.fatal, error.message)
    exit(1)
}

let app: TwinApp
let aws: AWSClient
do {
    (app, aws) = try Startup.makeApp(environment: environment, logger: logger)
} catch {
    // Lambda shows this as the init error; the non-zero exit makes it restart the sandbox.
    logger.log(.fatal, "start-up failed: \(error.message)")
    try? runtime.sendInitError(InvocationError(type: error.errorType, message: error.message))
    exit(1)
}

do {
    try LambdaRunLoop.run(client: runtime, logger: logger) { invocation, log in
        aws.invocationDeadlineMilliseconds = invocation.context.deadlineMilliseconds
        aws.logger = log
        return app.handle(invocation, logger: log)
    }
} catch {
    logger.log(.fatal, "the Runtime API failed: \(error.message)")
    exit(1)
}
