/// Picks the blocks of a page that are its main text.
///
/// The rule follows Readability's, adapted to Chinese: every paragraph-like block of at least
/// ``HTMLExtractionOptions/minParagraphChars`` characters whose link density is under the
/// limit scores `1 + commas + min(characters / 100, 3)`, commas capped at 30 (full-width
/// `，、。；！？：` count as commas, so Chinese prose scores like English; `pre` blocks score
/// by length only, since code is full of commas); the score goes to the block's
/// parent container in full and to its grandparent by half. A container's final score is
/// scaled by `1 - its link density`. The best container wins, except that an ancestor holding
/// more than twice its non-link text, with a link density under half the limit, takes its
/// place (chapters split into sections). Then each sibling
/// scoring at least a fifth of it (articles split by an advert). Inside the chosen
/// containers, blocks denser in links than the limit are dropped (menus, tag lists,
/// "related" links). A page where nothing scores (a list of links, a stub) keeps all blocks.
struct MainContentSelector {
    let options: HTMLExtractionOptions

    /// Indices of the blocks to keep, in document order.
    func select(_ page: inout HTMLBlocks) -> [Int] {
        let all = Array(page.blocks.indices)
        guard options.mode == .main, !page.blocks.isEmpty else { return filterLinks(all, page) }
        for block in page.blocks {
            var e = block.owner
            while e >= 0 {
                page.elements[Int(e)].chars += block.chars
                page.elements[Int(e)].linkChars += block.linkChars
                e = page.elements[Int(e)].parent
            }
        }
        for block in page.blocks where block.chars >= options.minParagraphChars && block.linkDensity <= options.maxLinkDensity {
            // Code (`pre`) counts by length only: its commas are syntax, not prose.
            let commas = block.kind == .preformatted ? 0 : min(Double(block.punctuation), 30)
            let score = 1 + commas + min(Double(block.chars) / 100, 3)
            let parent = page.elements[Int(block.owner)].parent
            // A block that is its own container (text directly in a `div`) scores there too.
            if block.kind == .paragraph || parent < 0 { page.elements[Int(block.owner)].score += score / 2 }
            guard parent >= 0 else { continue }
            page.elements[Int(parent)].score += score
            let grandparent = page.elements[Int(parent)].parent
            if grandparent >= 0 { page.elements[Int(grandparent)].score += score / 2 }
        }
        var best = -1
        var bestScore = 0.0
        var finals = [Double](repeating: 0, count: page.elements.count)
        for (k, e) in page.elements.enumerated() where e.score > 0 {
            let density = e.chars == 0 ? 0 : Double(e.linkChars) / Double(e.chars)
            finals[k] = e.score * (1 - density)
            if finals[k] > bestScore { bestScore = finals[k]; best = k }
        }
        guard best >= 0 else { return filterLinks(all, page) }
        // Documentation splits a chapter into nested sections, and the best-scoring one may be a
        // small part of it: an ancestor (not link-heavy) holding more than twice the winner's
        // non-link text takes its place.
        var ancestor = page.elements[best].parent
        var ownProse = page.elements[best].chars - page.elements[best].linkChars
        while ancestor > 0 {
            let a = page.elements[Int(ancestor)]
            let density = a.chars == 0 ? 0 : Double(a.linkChars) / Double(a.chars)
            guard density <= options.maxLinkDensity / 2 else { break }
            if ownProse * 2 < a.chars - a.linkChars {
                best = Int(ancestor)
                ownProse = a.chars - a.linkChars
                bestScore = max(bestScore, finals[best])
            }
            ancestor = a.parent
        }
        var chosen = Set([Int32(best)])
        let parent = page.elements[best].parent
        if parent >= 0 {
            for (k, e) in page.elements.enumerated() where e.parent == parent && k != best && finals[k] >= bestScore / 5 {
                chosen.insert(Int32(k))
            }
        }
        let kept = all.filter { index in
            var e = page.blocks[index].owner
            while e >= 0 {
                if chosen.contains(e) { return true }
                e = page.elements[Int(e)].parent
            }
            return false
        }
        return filterLinks(kept, page)
    }

    private func filterLinks(_ indices: [Int], _ page: HTMLBlocks) -> [Int] {
        indices.filter { page.blocks[$0].linkDensity <= options.maxLinkDensity }
    }
}
