import Dispatch

/// Runs a function over the chunks of a batch on several threads and returns the results in
/// input order, whatever order the threads finish in. This is the whole determinism story for
/// per-record work: scheduling can change timing, never output.
final class OrderedParallelMap: @unchecked Sendable {
    let threads: Int
    /// One context per chunk slot, reused across batches (slot k only ever runs on one thread
    /// at a time), so per-thread caches such as cloned ICU matchers survive between batches.
    let contexts: [StageContext]

    init(threads: Int) {
        self.threads = max(1, threads)
        self.contexts = (0..<(self.threads * 2)).map { _ in StageContext() }
    }

    func map<T, R>(_ items: [T], _ body: @escaping (ArraySlice<T>, StageContext) -> [R]) -> [R] {
        if threads == 1 || items.count < 64 {
            return body(items[...], contexts[0])
        }
        let chunks = min(contexts.count, items.count)
        let size = (items.count + chunks - 1) / chunks
        // Each chunk writes only its own slot; the slots outlive the concurrent section.
        let slots = UnsafeMutablePointer<[R]>.allocate(capacity: chunks)
        slots.initialize(repeating: [], count: chunks)
        defer {
            slots.deinitialize(count: chunks)
            slots.deallocate()
        }
        let job = UnsafeBox(ChunkJob(items: items, contexts: contexts, body: body, slots: slots, size: size))
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            job.value.run(k)
        }
        var out: [R] = []
        out.reserveCapacity(items.count)
        for k in 0..<chunks { out.append(contentsOf: slots[k]) }
        return out
    }
}

private struct ChunkJob<T, R> {
    let items: [T]
    let contexts: [StageContext]
    let body: (ArraySlice<T>, StageContext) -> [R]
    let slots: UnsafeMutablePointer<[R]>
    let size: Int

    func run(_ k: Int) {
        let lower = k * size
        let upper = min(items.count, lower + size)
        guard lower < upper else { return }
        (slots + k).pointee = body(items[lower..<upper], contexts[k])
    }
}

/// Carries non-Sendable values into `concurrentPerform`, where each chunk touches only its own
/// slot; the map above is what makes this safe.
struct UnsafeBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
