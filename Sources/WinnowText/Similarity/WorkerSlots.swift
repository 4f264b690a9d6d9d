/// Result slots that parallel workers fill, each writing only the indices it was given, handed
/// to `DispatchQueue.concurrentPerform` closures (which must be `Sendable`). The caller owns
/// the memory and reads it after the workers are done.
struct WorkerSlots<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}
