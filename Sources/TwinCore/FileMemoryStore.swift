#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Conversations as `{session_id}.json` files in one folder, the Python twin's layout.
///
/// Appends hold an exclusive `flock` on the folder's `.lock` file across read-modify-write,
/// so processes sharing the folder never lose each other's messages; files are replaced
/// by writing a temporary file, syncing it and renaming it over the old one.
public final class FileMemoryStore: ConversationStore {
    public let directory: String
    public var storageName: String { "local" }

    public init(directory: String) throws(MemoryError) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        try FileMemoryStore.makeDirectories(self.directory)
    }

    func path(_ session: SessionID) -> String { "\(directory)/\(session.value).json" }

    public func load(_ session: SessionID) throws(MemoryError) -> [Message] {
        guard let bytes = try readFile(path(session)) else { return [] }
        do {
            return try ConversationDocument.decode(bytes)
        } catch {
            throw MemoryError(.corrupt, "the stored conversation for this session is unreadable", underlying: "\(path(session)): \(error.message)")
        }
    }

    public func append(_ messages: [Message], to session: SessionID) throws(MemoryError) {
        try withLock { () throws(MemoryError) in
            var all = try load(session)
            all.append(contentsOf: messages)
            try writeAtomically(ConversationDocument.encode(all), to: path(session))
        }
    }

    public func delete(_ session: SessionID) throws(MemoryError) -> Bool {
        try withLock { () throws(MemoryError) -> Bool in
            if unlink(path(session)) == 0 { return true }
            if errno == ENOENT { return false }
            throw ioError("could not delete the conversation", path(session))
        }
    }

    // MARK: POSIX plumbing

    private func ioError(_ what: String, _ path: String) -> MemoryError {
        MemoryError(.io, what, underlying: "\(path): \(String(cString: strerror(errno)))")
    }

    private func withLock<T>(_ body: () throws(MemoryError) -> T) throws(MemoryError) -> T {
        let lockPath = "\(directory)/.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ioError("could not lock the memory folder", lockPath) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw ioError("could not lock the memory folder", lockPath) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func readFile(_ path: String) throws(MemoryError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw ioError("could not read the conversation", path)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("could not read the conversation", path)
            }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    private func writeAtomically(_ bytes: [UInt8], to path: String) throws(MemoryError) {
        let temp = "\(path).\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError("could not save the conversation", temp) }
        var ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue } else { return false } }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        let failure = ok ? nil : ioError("could not save the conversation", temp)
        close(fd)
        if let failure {
            unlink(temp)
            throw failure
        }
        guard rename(temp, path) == 0 else {
            let failure = ioError("could not save the conversation", path)
            unlink(temp)
            throw failure
        }
    }

    static func makeDirectories(_ path: String) throws(MemoryError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw MemoryError(.io, "could not create the memory folder", underlying: "\(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}
