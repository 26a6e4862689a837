import Foundation

/// The event fixtures copied from other Lambda projects (see Fixtures/peer-events/SOURCES.md).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/peer-events")

    /// Every request fixture, as `folder/file.json`; the three response samples are left out.
    static var requestFiles: [String] {
        let fm = FileManager.default
        var result: [String] = []
        for folder in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] {
            let sub = directory.appendingPathComponent(folder)
            for file in (try? fm.contentsOfDirectory(atPath: sub.path)) ?? [] where file.hasSuffix(".json") && !file.contains("response") {
                result.append("\(folder)/\(file)")
            }
        }
        return result.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}
