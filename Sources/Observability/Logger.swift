#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimpleJSON

/// Log levels in Lambda's advanced logging controls' order.
public enum LogLevel: Int, Comparable, Sendable {
    case trace, debug, info, warn, error, fatal

    public init?(name: String) {
        switch name.uppercased() {
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARN", "WARNING": self = .warn
        case "ERROR": self = .error
        case "FATAL": self = .fatal
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warn: "WARN"
        case .error: "ERROR"
        case .fatal: "FATAL"
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// Writes one log record per line to standard output, which Lambda sends to CloudWatch.
///
/// `AWS_LAMBDA_LOG_FORMAT=JSON` (the default here) gives
/// `{"timestamp":"…Z","level":"INFO","message":"…","requestId":"…",…}`;
/// `Text` gives tab-separated lines. `AWS_LAMBDA_LOG_LEVEL` filters.
/// Callers never pass credentials, Authorization headers or message bodies
/// at levels above debug.
public struct Logger: Sendable {
    public enum Format: Sendable { case json, text }

    public var level: LogLevel
    public var format: Format
    /// The invocation this logger speaks for, if any.
    public var requestID: String?
    /// Where lines go; tests capture them.
    public var sink: @Sendable (String) -> Void

    public init(level: LogLevel = .info, format: Format = .json, requestID: String? = nil,
                sink: @escaping @Sendable (String) -> Void = Logger.standardOutput)
    {
        self.level = level
        self.format = format
        self.requestID = requestID
        self.sink = sink
    }

    /// A logger configured from Lambda's logging variables.
    public static func fromEnvironment(_ env: [String: String]) -> Logger {
        let level = env["AWS_LAMBDA_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .info
        let format: Format = env["AWS_LAMBDA_LOG_FORMAT"]?.uppercased() == "TEXT" ? .text : .json
        return Logger(level: level, format: format)
    }

    public static let standardOutput: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { if n < 0 && errno == EINTR { continue } else { return } }
                offset += n
            }
        }
    }

    public func with(requestID: String?) -> Logger {
        var copy = self
        copy.requestID = requestID
        return copy
    }

    public func isEnabled(_ l: LogLevel) -> Bool { l >= level }

    public func log(_ l: LogLevel, _ message: @autoclosure () -> String, _ fields: @autoclosure () -> [(String, JSON)] = []) {
        guard l >= level else { return }
        let timestamp = Logger.timestamp()
        switch format {
        case .json:
            var members: [(String, JSON)] = [("timestamp", .string(timestamp)), ("level", .string(l.name)), ("message", .string(message()))]
            if let requestID { members.append(("requestId", .string(requestID))) }
            members.append(contentsOf: fields())
            sink(JSON.object(members).serialized())
        case .text:
            var line = "\(timestamp)\t\(l.name)\t\(requestID ?? "-")\t\(message())"
            for (k, v) in fields() { line += " \(k)=\(v.scalarText ?? v.serialized())" }
            sink(line)
        }
    }

    public func trace(_ m: @autoclosure () -> String, _ f: @autoclosure () -> [(String, JSON)] = []) { log(.trace, m(), f()) }
    public func debug(_ m: @autoclosure () -> String, _ f: @autoclosure () -> [(String, JSON)] = []) { log(.debug, m(), f()) }
    public func info(_ m: @autoclosure () -> String, _ f: @autoclosure () -> [(String, JSON)] = []) { log(.info, m(), f()) }
    public func warn(_ m: @autoclosure () -> String, _ f: @autoclosure () -> [(String, JSON)] = []) { log(.warn, m(), f()) }
    public func error(_ m: @autoclosure () -> String, _ f: @autoclosure () -> [(String, JSON)] = []) { log(.error, m(), f()) }

    /// RFC 3339 UTC time with milliseconds, e.g. `2026-11-22T03:51:10.123Z`.
    public static func timestamp() -> String {
        let now = WallClock.nowMilliseconds()
        return rfc3339(seconds: Int(now / 1000), milliseconds: Int(now % 1000))
    }

    public static func rfc3339(seconds: Int, milliseconds: Int) -> String {
        let f = WallClock.utcFields(epochSeconds: seconds)
        return "\(f.year)-\(f.month)-\(f.day)T\(f.hour):\(f.minute):\(f.second).\(WallClock.pad(milliseconds, 3))Z"
    }
}
