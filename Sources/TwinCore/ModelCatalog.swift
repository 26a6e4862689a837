/// Bedrock models the twin knows: names, whether they need an inference profile
/// for on-demand use, and on-demand prices in USD per 1,000 tokens (us-east-1 list prices).
public struct ModelInfo: Sendable, Equatable {
    public var id: String
    public var name: String
    public var provider: String
    /// True when Bedrock serves the model on demand only through a cross-region inference profile.
    public var requiresProfile: Bool
    public var inputPer1K: Double
    public var outputPer1K: Double

    public func cost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * inputPer1K + Double(outputTokens) * outputPer1K) / 1000
    }
}

public enum ModelCatalog {
    public static let models: [ModelInfo] = [
        ModelInfo(id: "amazon.nova-micro-v1:0", name: "Amazon Nova Micro", provider: "Amazon", requiresProfile: false, inputPer1K: 0.000035, outputPer1K: 0.00014),
        ModelInfo(id: "amazon.nova-lite-v1:0", name: "Amazon Nova Lite", provider: "Amazon", requiresProfile: false, inputPer1K: 0.00006, outputPer1K: 0.00024),
        ModelInfo(id: "amazon.nova-pro-v1:0", name: "Amazon Nova Pro", provider: "Amazon", requiresProfile: false, inputPer1K: 0.0008, outputPer1K: 0.0032),
        ModelInfo(id: "amazon.nova-premier-v1:0", name: "Amazon Nova Premier", provider: "Amazon", requiresProfile: true, inputPer1K: 0.0025, outputPer1K: 0.0125),
        ModelInfo(id: "anthropic.claude-3-5-haiku-20241022-v1:0", name: "Claude 3.5 Haiku", provider: "Anthropic", requiresProfile: false, inputPer1K: 0.0008, outputPer1K: 0.004),
        ModelInfo(id: "anthropic.claude-3-7-sonnet-20250219-v1:0", name: "Claude 3.7 Sonnet", provider: "Anthropic", requiresProfile: true, inputPer1K: 0.003, outputPer1K: 0.015),
        ModelInfo(id: "anthropic.claude-sonnet-4-20250514-v1:0", name: "Claude Sonnet 4", provider: "Anthropic", requiresProfile: true, inputPer1K: 0.003, outputPer1K: 0.015),
        ModelInfo(id: "anthropic.claude-sonnet-4-5-20250929-v1:0", name: "Claude Sonnet 4.5", provider: "Anthropic", requiresProfile: true, inputPer1K: 0.003, outputPer1K: 0.015),
        ModelInfo(id: "anthropic.claude-haiku-4-5-20251001-v1:0", name: "Claude Haiku 4.5", provider: "Anthropic", requiresProfile: true, inputPer1K: 0.001, outputPer1K: 0.005),
        ModelInfo(id: "anthropic.claude-opus-4-1-20250805-v1:0", name: "Claude Opus 4.1", provider: "Anthropic", requiresProfile: true, inputPer1K: 0.015, outputPer1K: 0.075),
        ModelInfo(id: "meta.llama3-1-8b-instruct-v1:0", name: "Llama 3.1 8B Instruct", provider: "Meta", requiresProfile: false, inputPer1K: 0.00022, outputPer1K: 0.00022),
        ModelInfo(id: "meta.llama3-1-70b-instruct-v1:0", name: "Llama 3.1 70B Instruct", provider: "Meta", requiresProfile: false, inputPer1K: 0.00072, outputPer1K: 0.00072),
        ModelInfo(id: "meta.llama3-3-70b-instruct-v1:0", name: "Llama 3.3 70B Instruct", provider: "Meta", requiresProfile: true, inputPer1K: 0.00072, outputPer1K: 0.00072),
        ModelInfo(id: "meta.llama4-maverick-17b-instruct-v1:0", name: "Llama 4 Maverick 17B Instruct", provider: "Meta", requiresProfile: true, inputPer1K: 0.00024, outputPer1K: 0.00097),
    ]

    static let geographyPrefixes = ["us.", "eu.", "apac.", "us-gov.", "ca.", "jp.", "au.", "global."]

    /// The bare model id: an inference profile id without its geography prefix.
    public static func baseID(_ id: String) -> String {
        for prefix in geographyPrefixes where id.hasPrefix(prefix) { return String(id.dropFirst(prefix.count)) }
        return id
    }

    /// The catalog entry of a model or of a profile over it.
    public static func info(_ id: String) -> ModelInfo? {
        let base = baseID(id)
        return models.first { $0.id == base }
    }

    /// The geography prefix of inference profiles for a Bedrock region.
    public static func geography(forRegion region: String) -> String {
        if region.hasPrefix("us-gov-") { return "us-gov" }
        if region.hasPrefix("eu-") { return "eu" }
        if region.hasPrefix("ap-") { return "apac" }
        return "us"
    }

    /// `us.`/`eu.`/`apac.` + the bare id; nil for ARNs and ids that already carry a prefix.
    public static func inferenceProfileID(for model: String, region: String) -> String? {
        guard !model.hasPrefix("arn:"), baseID(model) == model else { return nil }
        return "\(geography(forRegion: region)).\(model)"
    }
}
