import Foundation
import WinnowCore
import WinnowText

/// A pipeline ready to run: resolved input files, a reader and decoder for them, and stages.
public struct CompiledPipeline {
    public var definition: PipelineDefinition
    public var files: [InputFile]
    public var stages: [any Stage]
    public var decoder: RowDecoder
    let plans: [FileSource.FilePlan]

    /// A fresh source over the inputs (each build reads them once).
    public func makeSource() -> FileSource { FileSource(files: files, plans: plans) }
}

/// Checks what the schema cannot (regex syntax, files on disk, charsets, bounds that depend on
/// each other) and builds the stages. Reports every problem at once, with JSON path and
/// position, like the schema validator does.
public enum PipelineCompiler {
    /// `signatures` resolves dedup `against` references; without it (plain validation) they are
    /// not looked up.
    public static func compile(_ definition: PipelineDefinition, file: String,
                               signatures: (any SignatureLibrary)? = nil) throws -> CompiledPipeline {
        var problems = Problems(definition: definition)
        var files: [InputFile] = []
        var plans: [FileSource.FilePlan] = []
        var rules: [RowDecoder.FileRule] = []

        for (k, input) in definition.inputs.enumerated() {
            let path = "$.inputs[\(k)]"
            var linePattern: RegexPattern?
            if let source = input.linePattern {
                do {
                    let pattern = try RegexPattern(source)
                    if pattern.groupNumber(named: "text") == nil {
                        problems.add("\(path).text.pattern", "the line pattern needs a named group `(?<text>...)`")
                    }
                    linePattern = pattern
                } catch { problems.add("\(path).text.pattern", "\(error)") }
            }
            var charsetKnown = true
            if !input.isUTF8, !CharsetConverter.isKnown(input.encoding) {
                charsetKnown = false
                let common = ["utf-8", "utf-16", "latin1", "windows-1252", "gb18030", "gbk", "big5", "shift_jis"]
                let hint = Suggestion.closest(to: input.encoding, in: common).map { ", did you mean `\($0)`?" } ?? ""
                problems.add("\(path).encoding", "unknown encoding `\(input.encoding)`\(hint)")
            }
            var reportedXMLLayout = false
            var reportedOptions: Set<String> = []
            if !input.header, input.columns == nil {
                problems.add("\(path).csv", "`header: false` needs `columns`")
            }
            for (p, pattern) in input.paths.enumerated() {
                let jsonPath = input.paths.count > 1 || definition.location(of: "\(path).path[0]") != nil ? "\(path).path[\(p)]" : "\(path).path"
                let matches = InputResolver.resolve(pattern, base: definition.baseDirectory)
                if matches.isEmpty {
                    let absolute = pattern.hasPrefix("/") ? pattern : definition.baseDirectory + "/" + pattern
                    problems.add(jsonPath, "no input file matches `\(pattern)` (looked for \((absolute as NSString).standardizingPath))")
                    continue
                }
                for match in matches {
                    guard let format = input.format ?? InputResolver.inferFormat(match) else {
                        problems.add("\(path).format", "cannot tell the format of `\(InputResolver.displayPath(match, base: definition.baseDirectory))` from its name; set `format`")
                        continue
                    }
                    let size = ((try? FileManager.default.attributesOfItem(atPath: match))?[.size] as? NSNumber)?.intValue ?? 0
                    let lower = input.encoding.lowercased()
                    let streamCharset = !input.isUTF8 && charsetKnown && (lower.contains("16") || lower.contains("32")) ? input.encoding : nil
                    files.append(InputFile(path: InputResolver.displayPath(match, base: definition.baseDirectory),
                                           absolutePath: match, format: format.rawValue,
                                           encoding: input.isUTF8 ? "utf-8" : input.encoding, size: size, inputIndex: k))
                    var plan = FileSource.FilePlan(format: format, definition: input, streamCharset: streamCharset)
                    let markup = format == .html || format == .xml || format == .mediawiki
                    var rule = RowDecoder.FileRule(roles: input.fields, invalidUTF8: input.invalidUTF8,
                                                   rowCharset: input.isUTF8 || streamCharset != nil || !charsetKnown || markup ? nil : input.encoding,
                                                   linePattern: linePattern, html: HTMLExtractionOptions(json: input.html))
                    switch format {
                    case .xml:
                        if input.xml.isEmpty {
                            if !reportedXMLLayout {
                                problems.add(path, "`\(InputResolver.displayPath(match, base: definition.baseDirectory))` is XML: set `xml.record` (the element that makes one record) and `xml.fields`, or `format: mediawiki` for a MediaWiki dump")
                                reportedXMLLayout = true
                            }
                        }
                        plan.xml = XMLRecordLayout(json: input.xml, textField: input.fields[.text] ?? "text")
                    case .mediawiki:
                        let options = MediaWikiOptions(json: input.mediawiki)
                        plan.mediawiki = options
                        rule.wikitext = options.plainText
                    default:
                        break
                    }
                    for (key, what) in [("html", format == .html), ("xml", format == .xml), ("mediawiki", format == .mediawiki)]
                        where !what && definition.location(of: "\(path).\(key)") != nil && !reportedOptions.contains(key) {
                        reportedOptions.insert(key)
                        problems.add("\(path).\(key)", "`\(key)` options are for `format: \(key)` inputs, and this input is \(format.rawValue)")
                    }
                    plans.append(plan)
                    rules.append(rule)
                }
            }
        }

        var stages: [any Stage] = []
        for stage in definition.stages {
            do {
                if let built = try makeStage(stage, definition, signatures, &problems) { stages.append(built) }
            } catch {
                problems.add(stage.path, "\(error)")
            }
        }
        // Children are made while records stream out of an expanding stage: nothing after it
        // may need the whole dataset.
        if let expanding = stages.firstIndex(where: { $0 is any ExpandingStage }) {
            for later in stages[(expanding + 1)...] where later is any GlobalStage {
                problems.add(definition.stages[later.index].path,
                             "`\(later.name)` cannot follow `\(stages[expanding].name)`: it looks at the whole dataset, and children are made as records stream out; move it before `\(stages[expanding].name)`")
            }
        }
        try problems.throwIfAny(file: file)
        return CompiledPipeline(definition: definition, files: files, stages: stages,
                                decoder: RowDecoder(rules: rules), plans: plans)
    }

    private static func makeStage(_ stage: StageDefinition, _ definition: PipelineDefinition, _ library: (any SignatureLibrary)?,
                                  _ problems: inout Problems) throws -> (any Stage)? {
        let c = stage.config
        switch stage.name {
        case "html":
            return HTMLStage(index: stage.index, config: c)
        case "clean":
            return try CleanStage(index: stage.index, config: c)
        case "regex":
            var rules: [RegexStage.Rule] = []
            for (k, entry) in (c["rules"]?.arrayValue ?? []).enumerated() {
                guard let o = entry.objectValue, let source = o["pattern"]?.stringValue else { continue }
                let path = "\(stage.path).rules[\(k)]"
                let action = o["action"]?.stringValue.flatMap(RegexStage.Rule.Action.init(rawValue:)) ?? .replace
                let ruleName = o["name"]?.stringValue ?? "rule\(k + 1)"
                if rules.contains(where: { $0.name == ruleName }) { problems.add("\(path).name", "duplicate rule name `\(ruleName)`") }
                do {
                    let pattern = try RegexPattern(source, caseInsensitive: o["ignore_case"]?.boolValue ?? false)
                    var replacement: ReplacementTemplate?
                    if action == .replace {
                        if let r = o["replace"]?.stringValue {
                            do { replacement = try pattern.replacement(r) } catch { problems.add("\(path).replace", "\(error)") }
                        } else {
                            problems.add(path, "a `replace` rule needs a `replace` string (or set `action` to `drop` or `keep`)")
                        }
                    } else if o["replace"] != nil {
                        problems.add("\(path).replace", "`replace` is only used by `action: replace`")
                    }
                    rules.append(RegexStage.Rule(name: ruleName, pattern: pattern, action: action, replacement: replacement))
                } catch {
                    problems.add("\(path).pattern", "\(error)")
                }
            }
            return RegexStage(index: stage.index, field: c["field"]?.stringValue ?? "text",
                              timeLimit: Int32(clamping: c["time_limit_ms"]?.intValue ?? 1000), rules: rules)
        case "filter":
            for (lo, hi) in [("min_chars", "max_chars"), ("min_words", "max_words")] {
                if let a = c[lo]?.intValue, let b = c[hi]?.intValue, a > b {
                    problems.add("\(stage.path).\(lo)", "`\(lo)` (\(a)) is larger than `\(hi)` (\(b)); every record would be dropped")
                }
            }
            if c.isEmpty || c.keys == ["field"] { problems.add(stage.path, "a filter needs at least one bound (`min_chars`, `max_chars`, `min_words`, `max_words`)") }
            return LengthFilterStage(index: stage.index, config: c)
        case "fields":
            return FieldsStage(index: stage.index, config: c)
        case "fill":
            for (k, entry) in (c["fields"]?.arrayValue ?? []).enumerated() {
                let o = entry.objectValue ?? JSONObject()
                if o["strategy"]?.stringValue == "constant", o["value"] == nil {
                    problems.add("\(stage.path).fields[\(k)]", "strategy `constant` needs a `value`")
                }
                if o["strategy"]?.stringValue != "constant", o["value"] != nil {
                    problems.add("\(stage.path).fields[\(k)].value", "`value` is only used by strategy `constant`")
                }
            }
            return FillStage(index: stage.index, config: c)
        case "outliers":
            return OutlierStage(index: stage.index, config: c)
        case "dedup":
            let settings = DedupSettings(config: c, path: stage.path) { problems.add($0, $1) }
            var references: [ReferenceMember] = []
            if let library {
                for (k, reference) in settings.against.enumerated() {
                    let path = settings.against.count > 1 || c["against"]?.arrayValue != nil ? "\(stage.path).against[\(k)]" : "\(stage.path).against"
                    do {
                        references += try DedupStage.references(library.signatures(of: reference), settings: settings)
                    } catch {
                        problems.add(path, "\(error)")
                    }
                }
            }
            return DedupStage(index: stage.index, settings: settings, references: references)
        case "pii":
            return try PIIStage(index: stage.index, config: c, path: stage.path) { problems.add($0, $1) }
        case "split":
            let settings = SplitSettings(config: c, dataset: definition.dataset, path: stage.path) { problems.add($0, $1) }
            var earlier: (version: String, splits: [RecordHash: String])?
            if let reference = settings.stableReference, let splits = library as? any SplitLibrary {
                do {
                    earlier = try splits.splitAssignments(of: reference)
                } catch let error as WinnowError where c["stable"]?.boolValue == true && "\(error)".contains("no dataset") {
                    earlier = nil  // the first build of a dataset has nothing to keep stable
                } catch {
                    problems.add("\(stage.path).stable", "\(error)")
                }
            }
            return SplitStage(index: stage.index, settings: settings, seed: definition.seed, earlier: earlier)
        case "augment":
            let settings = AugmentSettings(config: c, base: definition.baseDirectory, path: stage.path) { problems.add($0, $1) }
            let earlier = definition.stages.prefix(while: { $0.index < stage.index })
            guard let split = earlier.last(where: { $0.name == "split" }) else {
                problems.add(stage.path, "`augment` makes children for the splits a `split` stage assigns; put a `split` stage before it (augmenting before splitting leaks near-copies of test records into training)")
                return nil
            }
            let splitSettings = SplitSettings(config: split.config, dataset: definition.dataset, path: split.path) { _, _ in }
            for (k, name) in settings.splits.enumerated() where !splitSettings.names.contains(name) {
                let hint = Suggestion.closest(to: name, in: splitSettings.names).map { ", did you mean `\($0)`?" } ?? ""
                problems.add(c["splits"]?.arrayValue != nil ? "\(stage.path).splits[\(k)]" : "\(stage.path).splits",
                             "the split stage makes no split `\(name)` (it makes \(splitSettings.names.map { "`\($0)`" }.joined(separator: ", ")))\(hint)")
            }
            var guardSettings = DedupSettings()
            if let dedup = earlier.last(where: { $0.name == "dedup" }) {
                guardSettings = DedupSettings(config: dedup.config, path: dedup.path) { _, _ in }
            }
            let synonyms: (any SynonymSource)?
            do { synonyms = try AugmentStage.synonymSource(for: settings) } catch {
                problems.add("\(stage.path).synonyms", "\(error)")
                return nil
            }
            return AugmentStage(index: stage.index, settings: settings, seed: definition.seed, synonyms: synonyms,
                                guardSettings: guardSettings, stratify: splitSettings.stratify)
        case "tokenize":
            if stage.index != definition.stages.count - 1 {
                problems.add(stage.path, "`tokenize` writes the shards of the finished version; make it the last stage")
            }
            do {
                return try TokenizeStage(index: stage.index, config: c, base: definition.baseDirectory, path: stage.path) { problems.add($0, $1) }
            } catch let error as StageConfigError {
                problems.add(error.path, error.message)
                return nil
            }
        default:
            problems.add(stage.path, "unknown stage `\(stage.name)`")
            return nil
        }
    }
}

/// Collects semantic problems with their source positions.
struct Problems {
    let definition: PipelineDefinition
    var list: [Diagnostic] = []

    mutating func add(_ path: String, _ message: String) {
        var p = path
        var location: SourceLocation?
        while location == nil {
            location = definition.location(of: p)
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            if location == nil { p = String(p[..<cut]) }
        }
        list.append(Diagnostic(path: path, location: location, message: message))
    }

    func throwIfAny(file: String) throws {
        if !list.isEmpty { throw WinnowError.invalidPipeline(file: file, diagnostics: list) }
    }
}
