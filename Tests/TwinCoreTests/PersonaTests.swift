import Foundation
import Observability
import Testing
import TwinCore

@Suite struct PersonaPrompt {
    let quiet = Logger(level: .fatal, sink: { _ in })

    @Test func builtFromTheFolderFacts_summary_style() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("persona-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #"{"full_name": "Ada Lovelace", "city": "London"}"#.write(toFile: "\(dir)/facts.json", atomically: true, encoding: .utf8)
        try "Mathematician and writer.".write(toFile: "\(dir)/summary.txt", atomically: true, encoding: .utf8)
        try "Precise, warm.".write(toFile: "\(dir)/style.md", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: "\(dir)/notes.pdf", atomically: true, encoding: .utf8)
        var config = try TwinConfig.fromEnvironment([:])
        config.personaDirectory = dir
        let prompt = Persona.systemPrompt(config: config, logger: quiet, environment: [:])
        #expect(prompt.contains("You are acting as Ada Lovelace"))
        let facts = try #require(prompt.range(of: "## Facts")), summary = try #require(prompt.range(of: "## Summary"))
        let style = try #require(prompt.range(of: "## Style"))
        #expect(facts.lowerBound < summary.lowerBound && summary.lowerBound < style.lowerBound)
        #expect(prompt.contains("Mathematician and writer.") && !prompt.contains("ignored"))
    }

    @Test func systemPromptVariableWinsAndDefaultOtherwise() throws {
        let config = try TwinConfig.fromEnvironment(["SYSTEM_PROMPT": "Be brief."])
        #expect(Persona.systemPrompt(config: config, logger: quiet, environment: [:]) == "Be brief.")
        var missing = try TwinConfig.fromEnvironment([:])
        missing.personaDirectory = "/nonexistent"
        #expect(Persona.systemPrompt(config: missing, logger: quiet, environment: [:]) == Persona.defaultPrompt)
    }
}
