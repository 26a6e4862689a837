import SimpleJSON

/// CloudWatch Embedded Metric Format: one JSON log line that CloudWatch turns into
/// metrics, with no API call from the function.
public struct MetricsEmitter: Sendable {
    public var namespace: String
    public var sink: @Sendable (String) -> Void

    public init(namespace: String, sink: @escaping @Sendable (String) -> Void = Logger.standardOutput) {
        self.namespace = namespace
        self.sink = sink
    }

    public enum Unit: String, Sendable { case milliseconds = "Milliseconds", count = "Count", none = "None" }

    /// Writes one EMF record: `metrics` as (name, value, unit), dimensioned by `dimensions`.
    public func emit(_ metrics: [(String, Double, Unit)], dimensions: [(String, String)], properties: [(String, JSON)] = [],
                     timestampMilliseconds: Int64)
    {
        var members: [(String, JSON)] = [("_aws", [
            "Timestamp": .number(Double(timestampMilliseconds)),
            "CloudWatchMetrics": [[
                "Namespace": .string(namespace),
                "Dimensions": [.array(dimensions.map { .string($0.0) })],
                "Metrics": .array(metrics.map { ["Name": .string($0.0), "Unit": .string($0.2.rawValue)] }),
            ]],
        ])]
        for (name, value) in dimensions { members.append((name, .string(value))) }
        for (name, value, _) in metrics { members.append((name, .number(value))) }
        members.append(contentsOf: properties)
        sink(JSON.object(members).serialized())
    }
}
