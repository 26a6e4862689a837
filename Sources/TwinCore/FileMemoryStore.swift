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
///
/// The last conversation read or written is kept parsed, keyed by the file's identity
/// (inode, size, modification time): a warm function chatting in one session reads the
/// file once, yet still sees another process's write, which replaces the inode.
public final class FileMemoryStore: ConversationStore {
    public let directory: String
    /// Whether a write is flushed to disk before it counts as saved. On Lambda the folder
    /// is the sandbox's /tmp, which does not outlive the sandbox, so syncing buys nothing there.
    public let syncWrites: Bool
    public var storageName: String { "local" }

    private struct FileIdentity: Equatable {
        var inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }
    private var cached: (path: String, identity: FileIdentity, messages: [Message])?

    public init(directory: String, syncWrites: Bool = true) throws(MemoryError) {
        self.directory = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.syncWrites = syncWrites
        try FileMemoryStore.makeDirectories(self.directory)
    }

    func path(_ session: SessionID) -> String { "\(directory)/\(session.value).json" }

    public func load(_ session: SessionID) throws(MemoryError) -> [Message] {
        let file = path(session)
        let identity = FileMemoryStore.identity(of: file)
        if let identity, let cached, cached.path == file, cached.identity == identity { return cached.messages }
        guard let bytes = try readFile(file) else { return [] }
        do {
            let messages = try ConversationDocument.decode(bytes)
            if let identity { cached = (file, identity, messages) }
            return messages
        } catch {
            throw MemoryError(.corrupt, "the stored conversation for this session is unreadable", underlying: "\(file): \(error.message)")
        }
    }

    public func append(_ messages: [Message], to session: SessionID) throws(MemoryError) {
        try withLock { () throws(MemoryError) in
            var all = try load(session)
            all.append(contentsOf: messages)
            let file = path(session)
            try writeAtomically(ConversationDocument.encode(all), to: file)
            cached = FileMemoryStore.identity(of: file).map { (file, $0, all) }
        }
    }

    public func delete(_ session: SessionID) throws(MemoryError) -> Bool {
        try withLock { () throws(MemoryError) -> Bool in
            cached = nil
            if unlink(path(session)) == 0 { return true }
            if errno == ENOENT { return false }
            throw ioError("could not delete the conversation", path(session))
        }
    }

    // MARK: POSIX plumbing

    private func ioError(_ what: String, _ path: String) -> MemoryError {
        MemoryError(.io, what, underlying: "\(path): \(String(cString: strerror(errno)))")
    }

    /// The folder's lock file, opened once and kept for the life of the store.
    private var lockDescriptor: Int32 = -1

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    private func withLock<T>(_ body: () throws(MemoryError) -> T) throws(MemoryError) -> T {
        let lockPath = "\(directory)/.lock"
        if lockDescriptor < 0 {
            lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lockDescriptor >= 0 else { throw ioError("could not lock the memory folder", lockPath) }
        }
        let fd = lockDescriptor
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
        if syncWrites { ok = ok && fsync(fd) == 0 }
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

    private static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                            seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
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
