/// The schema of a pipeline file. Every key Winnow accepts is declared here, once.
public enum PipelineSchema {
    public static let fieldName = Schema.string("A field name in the record.", minLength: 1)

    public static let fields = Schema.object(
        "Which input field plays each role. Role fields are renamed to the role name on ingest, so later stages always read `text`, `label`, ... whatever the source called them.",
        FieldRole.allCases.map {
            Property($0.rawValue, .string("Input field holding the \($0.rawValue) (default `\($0.rawValue)`).", minLength: 1))
        })

    public static let csv = Schema.object("CSV/TSV options (RFC 4180).", [
        Property("delimiter", .string("Field separator (default `,` for csv, tab for tsv).", minLength: 1, maxLength: 1)),
        Property("quote", .string("Quote character (default `\"`); doubled inside a quoted field.", minLength: 1, maxLength: 1)),
        Property("header", .boolean("Whether the first row names the columns (default true).")),
        Property("columns", .array("Column names when there is no header row.", of: fieldName, minItems: 1)),
    ])

    public static let text = Schema.object("Plain-text options.", [
        Property("unit", .string("A record per `line` (default) or per `file`.", oneOf: ["line", "file"])),
        Property("pattern", .string("Regular expression (PCRE2 syntax, Unicode mode) applied to each line; its named groups become fields, e.g. `^(?<text>.*)@(?<label>[a-z]+)$`. Lines that do not match are quarantined.", minLength: 1)),
        Property("skip_empty", .boolean("Skip blank lines instead of ingesting empty records (default true).")),
    ])

    /// Options of HTML extraction, shared by HTML inputs and the `html` stage.
    public static let htmlProperties: [Property] = [
        Property("mode", .string("`main` (default) keeps the article: the container whose paragraphs score best (text length and punctuation, Chinese punctuation included, less link text) and its strong siblings. `all` keeps every visible block that survives the chrome rules.",
                                 oneOf: ["main", "all"])),
        Property("drop_tags", .array("Elements removed with their content, replacing the default list (script, style, noscript, template, svg, iframe, nav, header, footer, aside, form, button, ...).", of: fieldName)),
        Property("boilerplate_names", .array("Substrings of `class`/`id` values that mark chrome, replacing the default list (nav, menu, footer, breadcrumb, sidebar, banner, share, social, comment, advert, copyright, pagination, related, recommend, ...).", of: fieldName)),
        Property("content_names", .array("Substrings of `class`/`id` values that protect an element from `boilerplate_names` (default article, content, main, body, post, entry, story, text).", of: fieldName)),
        Property("max_link_density", .number("Blocks with a larger share of their characters inside links are dropped (default 0.5).", minimum: 0, maximum: 1)),
        Property("min_paragraph_chars", .integer("Characters a block needs to count as a paragraph when scoring containers (default 20).", minimum: 0)),
    ]

    public static let htmlInput = Schema.object("HTML options: how a page becomes text. Each page becomes one record with `text`, and `title`, `lang`, `description`, `url` when the page has them; the charset (BOM, declaration checked against the bytes, then ICU's detector) is recorded with the file.", htmlProperties)

    public static let htmlStage = Schema.object("HTML held in a field (a crawl exported as JSONL or CSV) becomes text, with the rules of HTML inputs. Records whose HTML yields no text are dropped (rule `html.empty`).",
        [
            Property("field", .string("Field holding the HTML (default `html`).", minLength: 1)),
            Property("to", .string("Field the text goes to (default `text`).", minLength: 1)),
            Property("keep_html", .boolean("Keep the HTML field when `to` is another field (default false: it is removed).")),
            Property("metadata", .boolean("Add `title`, `lang`, `description` and `url` fields from the page where present and not already set (default true).")),
        ] + htmlProperties)

    public static let xml = Schema.object("Generic XML: one record per `record` element, streamed (memory does not grow with the file).", [
        Property("record", .string("Name of the element that makes one record, e.g. `item` or `doc` (namespace prefix included if the file uses one).", minLength: 1), required: true),
        Property("fields", .map("Record field -> path inside the record element: `title`, `body/p` (all text below it), `@id` (an attribute of the record element), `meta/@lang`. Default: `{\"text\": \".\"}`, all text of the element.",
                                of: .string(minLength: 1))),
    ])

    public static let mediawiki = Schema.object("MediaWiki XML dump options. One record per page: `text` (wikitext converted to plain text), `title`, `page_id`, `namespace`, `redirect` (target title), `revision_id`, `timestamp`.", [
        Property("namespaces", .array("Namespace numbers to keep (default `[0]`, articles); pages in others are skipped and counted.", of: .integer(minimum: -2), minItems: 1)),
        Property("redirects", .string("`skip` redirect pages (default; counted) or `keep` them.", oneOf: ["skip", "keep"])),
        Property("markup", .string("`plain` (default): wikitext converted to plain text (templates, tables, references, file links and markup removed; `[[target|label]]` becomes `label`). `wikitext`: the source as is.",
                                   oneOf: ["plain", "wikitext"])),
    ])

    public static let input = Schema.object("One input: files, directories or globs, relative to the pipeline file.", [
        Property("path", .anyOf("A path, directory or glob (`*`, `?`, `**`), or a list of them.", [
            .string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1),
        ]), required: true),
        Property("format", .string("Input format; inferred from the extension when absent (`.jsonl`, `.csv`, `.tsv`, `.txt`, `.html`, each also with `.gz`, `.bz2`, `.xz` or `.zst`: compressed files are detected by their magic bytes and decoded while streaming). `.xml` is generic XML). `html` makes one record per page (see `html`); `xml` one per record element (see `xml`); `mediawiki` one per page of a MediaWiki XML dump (see `mediawiki`).",
                                   oneOf: ["jsonl", "csv", "tsv", "text", "html", "xml", "mediawiki"])),
        Property("encoding", .string("Character encoding, any name ICU knows (`utf-8` default, `latin1`, `windows-1252`, `gb18030`, `utf-16`...).", minLength: 1)),
        Property("invalid_utf8", .string("What to do with a record holding invalid UTF-8: `quarantine` it (default) or `replace` bad bytes with U+FFFD.",
                                         oneOf: ["quarantine", "replace"])),
        Property("fields", fields),
        Property("csv", csv),
        Property("text", text),
        Property("html", htmlInput),
        Property("xml", xml),
        Property("mediawiki", mediawiki),
    ])

    public static let normalizeForms = ["NFKC", "NFC", "NFKC_Casefold", "none"]

    public static let clean = Schema.object("Unicode cleaning of one text field.", [
        Property("field", .string("Field to clean (default `text`).", minLength: 1)),
        Property("normalize", .string("Unicode normalization form (default `NFKC`).", oneOf: normalizeForms)),
        Property("remove_control", .boolean("Remove C0/C1 control characters except tab and newline (default true).")),
        Property("remove_zero_width", .boolean("Remove zero-width and invisible format characters: U+200B, U+2060–U+2064, U+FEFF, U+00AD, U+180E (default true).")),
        Property("whitespace", .string("`collapse` runs of whitespace to one space, `collapse_keep_newlines` (default) keeps one newline per run containing one, `keep` leaves it.",
                                       oneOf: ["collapse", "collapse_keep_newlines", "keep"])),
        Property("trim", .boolean("Trim leading and trailing whitespace (default true).")),
        Property("case_fold", .boolean("Full Unicode case folding (default false).")),
    ])

    public static let regexRule = Schema.object("A regex rule run on UTF-8 text with PCRE2 (JIT-compiled, Unicode mode).", [
        Property("name", .string("Rule name shown in statistics and the ledger (default `rule<N>`).", pattern: "^[A-Za-z0-9_.-]+$")),
        Property("pattern", .string("Regular expression in PCRE2 syntax, Unicode mode; `\\uHHHH` escapes from Python's `re` work too.", minLength: 1), required: true),
        Property("action", .string("`replace` matches (default), `drop` the record if it matches, or `keep` only records that match.",
                                   oneOf: ["replace", "drop", "keep"])),
        Property("replace", .string("Replacement for `replace`; `$1` or `${name}` insert groups, `\\$` a dollar.")),
        Property("ignore_case", .boolean("Case-insensitive matching (default false).")),
    ])

    public static let regex = Schema.object("User regex rules, applied in order.", [
        Property("field", .string("Field the rules read (default `text`).", minLength: 1)),
        Property("time_limit_ms", .integer("Wall-clock limit in milliseconds for one rule on one record, counted from the rule's 64th replacement (each match is also bounded by a backtracking-step limit); a record that hits either is quarantined. Default 1000.", minimum: 1)),
        Property("rules", .array(of: regexRule, minItems: 1), required: true),
    ])

    public static let filter = Schema.object("Length filters; a record outside a bound is dropped and the bound named in the ledger.", [
        Property("field", .string("Field measured (default `text`).", minLength: 1)),
        Property("min_chars", .integer("Minimum length in Unicode scalars.", minimum: 0)),
        Property("max_chars", .integer("Maximum length in Unicode scalars.", minimum: 0)),
        Property("min_words", .integer("Minimum words by ICU word boundaries (Chinese by dictionary).", minimum: 0)),
        Property("max_words", .integer("Maximum words by ICU word boundaries.", minimum: 0)),
    ])

    public static let fieldsStage = Schema.object("Rename, drop and map fields.", [
        Property("rename", .map("Old name to new name.", of: fieldName)),
        Property("drop", .array("Fields to remove.", of: fieldName)),
        Property("map", .map("Per field, a table from old value (as text) to new value.",
                             of: .map(of: .scalar()))),
        Property("unmapped", .string("What `map` does with a value not in its table: `keep` it (default) or `drop` the record.",
                                     oneOf: ["keep", "drop"])),
    ])

    public static let fill = Schema.object("Fill missing values (absent, null, or empty string).", [
        Property("fields", .array(of: .object([
            Property("field", fieldName, required: true),
            Property("strategy", .string("`constant`, or a statistic of the field's present values: `mode` (most frequent; ties by smallest text), `median` or `mean` (numbers).",
                                         oneOf: ["constant", "mode", "median", "mean"]), required: true),
            Property("value", .scalar("The value for `constant`.")),
        ]), minItems: 1), required: true),
    ])

    public static let outliers = Schema.object("Drop or flag numeric outliers by z-score over the whole dataset.", [
        Property("field", fieldName, required: true),
        Property("z", .number("Records with |x − mean| / stddev above this are outliers (default 3).", exclusiveMinimum: 0)),
        Property("action", .string("`drop` (default) or `flag`.", oneOf: ["drop", "flag"])),
        Property("flag_field", .string("Boolean field set by `flag` (default `<field>_outlier`).", minLength: 1)),
    ])

    public static let dedup = Schema.object("Remove exact and near duplicates (SimHash) across the dataset and against earlier versions. Every removed record is in the ledger with its cluster, the kept copy, the Hamming distance and the Jaccard estimate.", [
        Property("field", .string("Field compared (default `text`).", minLength: 1)),
        Property("methods", .array("`exact` (equal text after normalization), `simhash` (near duplicates), `containment` (texts lying mostly inside a larger one: excerpts, pasted-together or lightly rewritten copies); default `exact` and `simhash`. Texts too short to fingerprint are always matched exactly.",
                                   of: .string(oneOf: ["exact", "simhash", "containment"]), minItems: 1)),
        Property("normalize", .string("Unicode normalization applied before both methods (default `NFKC_Casefold`: full-width and half-width forms and case compare equal).",
                                      oneOf: normalizeForms)),
        Property("exact", .object("What the exact method ignores.", [
            Property("whitespace", .string("`collapse` runs to one space and trim (default), `ignore` all white space, or `keep` it.",
                                           oneOf: ["collapse", "ignore", "keep"])),
            Property("punctuation", .string("`keep` (default) or `remove` everything that is not a letter, digit or space.",
                                            oneOf: ["keep", "remove"])),
        ])),
        Property("simhash", .object("Charikar SimHash over shingles hashed with XXH64, searched with Manku–Jain–Das Sarma block tables.", [
            Property("unit", .string("Shingle unit: `char` n-grams of letters and digits (Chinese, Japanese, Korean), `word` n-grams by ICU word boundaries, or `auto` (default): `char` when Han, Kana and Hangul are over 30% of a document's letters.",
                                     oneOf: ["auto", "char", "word"])),
            Property("char_n", .integer("n for character n-grams (default 2).", minimum: 1, maximum: 32)),
            Property("word_n", .integer("n for word n-grams (default 3).", minimum: 1, maximum: 16)),
            Property("weighting", .string("`set`: each distinct shingle counts once (default); `frequency`: repeats count again.",
                                          oneOf: ["set", "frequency"])),
            Property("bits", .integer("Fingerprint width, 64 (default) or 128.", minimum: 64, maximum: 128)),
            Property("k", .integer("Largest Hamming distance between near duplicates (default 10).", minimum: 0, maximum: 32)),
            Property("blocks", .integer("Blocks per fingerprint for the block tables (C(blocks, k) tables); default: the cheapest design for the corpus size.", minimum: 1, maximum: 128)),
            Property("min_shingles", .integer("Documents with fewer distinct shingles are not fingerprinted and only matched exactly (default 8).", minimum: 1)),
            Property("max_bucket", .integer("Largest block-table bucket compared pair by pair; in a larger one each fingerprint is compared with its next `max_bucket` neighbours (default 5000).", minimum: 2)),
            Property("min_jaccard", .number("Reject candidate pairs whose shingle Jaccard similarity (estimated from 64-value bottom-k sketches; exact for short texts) is below this (default 0.8); 0 trusts the Hamming distance alone.",
                                            minimum: 0, maximum: 1)),
        ])),
        Property("containment", .object("The `containment` method (add it to `methods`): after exact and SimHash dedup, larger records first, a record is removed when this share of its distinct shingles occurs in one larger kept record. Needs 4 bytes per distinct (sampled) shingle of the corpus, plus an index of 12 bytes each while searching.", [
            Property("unit", .string("Shingle unit, as for `simhash` (default `auto`).", oneOf: ["auto", "char", "word"])),
            Property("char_n", .integer("n for character n-grams (default 5).", minimum: 1, maximum: 32)),
            Property("word_n", .integer("n for word n-grams (default 3).", minimum: 1, maximum: 16)),
            Property("threshold", .number("Smallest share of a record's shingles found in its container (default 0.12: light rewrites keep 15% or more of their word 3-grams, independent texts on the same topic under 10%). Raise it (0.5–0.8) to remove only near-complete excerpts.",
                                          maximum: 1, exclusiveMinimum: 0)),
            Property("sample", .integer("Keep 1 in this many shingles, chosen by hash (default 1: all). Divides memory by it; shares of short records get noisier.", minimum: 1)),
            Property("min_shingles", .integer("Records with fewer (sampled) distinct shingles are never removed by containment (default 20).", minimum: 1)),
            Property("max_posting", .integer("Shingles found in more records than this are common phrases and count as unmatched (default 1000).", minimum: 2)),
        ])),
        Property("keep", .string("Which member of a cluster survives: `longest` (default), `shortest`, `first` in input order, or by `field`. Ties go to the smaller content hash, so the choice does not depend on input order (except for `first`).",
                                 oneOf: ["longest", "shortest", "first", "field"])),
        Property("keep_field", .string("Field for `keep: field`.", minLength: 1)),
        Property("keep_order", .string("`max` (default) or `min` value of `keep_field` survives.", oneOf: ["max", "min"])),
        Property("action", .string("`drop` duplicates (default) or `tag` every member of a cluster with its cluster id and keep them all (use the field as a split group).",
                                   oneOf: ["drop", "tag"])),
        Property("cluster_field", .string("Field that `action: tag` writes (default `dedup_cluster`).", minLength: 1)),
        Property("against", .anyOf("Earlier versions (`dataset@latest`, a tag, an id) whose records count as already kept: new records that duplicate them are removed. Uses the fingerprints stored with those versions.",
                                   [.string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1)])),
    ])

    public static let split = Schema.object("Assign every record to a named split: random, stratified, group-aware or by time; stable across versions on request; exact and near-duplicate pairs across splits are counted.", [
        Property("ratios", .map("Split name to share, in order (default train 0.8, validation 0.1, test 0.1). Shares of 1, 10 or 100.",
                                of: .number(minimum: 0))),
        Property("stratify", .anyOf("Field(s) whose value combination is a stratum; each stratum is split in proportion, every split within one record of its exact share.",
                                    [.string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1)])),
        Property("group", .anyOf("Field(s) whose value combination is a group kept in one split (a user, a source, or `dedup_cluster` from a dedup stage with `action: tag`).",
                                 [.string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1)])),
        Property("time", .object("Split by time: later splits hold strictly later records.", [
            Property("field", .string("Field with the time: a date (2024-05-01), a date and time (ISO 8601, with Z or an offset) or a number (default `time`).", minLength: 1)),
            Property("cutoffs", .array("One fewer than splits, increasing: a record goes to the first split whose cutoff is after its time. Without cutoffs the ratios cut the time order.",
                                       of: .scalar(), minItems: 1)),
        ])),
        Property("stable", .anyOf("`true`: records that were in the dataset's latest version keep their split, only new records are allocated (to the proportions still owed). A version reference names another version.",
                                  [.boolean(), .string(minLength: 1)])),
        Property("max_leakage", .integer("Fail the build when more exact or near-duplicate pairs than this cross splits (default: report only).", minimum: 0)),
        Property("leakage_k", .integer("SimHash distance for the leakage check (default 3).", minimum: 0, maximum: 16)),
    ])

    public static let piiActions = ["tag", "mask", "hash", "fake", "redact", "drop"]

    public static let pii = Schema.object("Find personal data (e-mail, Chinese mobiles, landlines and resident IDs, international phone numbers, payment cards, IBANs, US SSNs, IP and MAC addresses, secrets) and replace it. Only the type and position of each span reach the ledger.", [
        Property("fields", .array("Text fields to scan (default [`text`]).", of: fieldName, minItems: 1)),
        Property("types", .array("Built-in entity types to detect (default all): SECRET, EMAIL, CN_ID, CREDIT_CARD, IBAN_CODE, PHONE_CN, PHONE_CN_LANDLINE, PHONE_NUMBER, US_SSN, IP_ADDRESS, MAC_ADDRESS.",
                                 of: .string(minLength: 1), minItems: 1)),
        Property("actions", .map("Entity type to action: `tag` (<TYPE>), `mask` (keep a prefix and suffix), `hash` (keyed pseudonym), `fake` (format-valid surrogate from the keyed pseudonym), `redact` (remove), `drop` (drop the record).",
                                 of: .string(oneOf: piiActions))),
        Property("default_action", .string("Action for types not in `actions` (default `tag`).", oneOf: piiActions)),
        Property("mask", .object("What `mask` keeps of the value (digits only for numbers).", [
            Property("keep_prefix", .integer("Leading characters kept (default 3).", minimum: 0)),
            Property("keep_suffix", .integer("Trailing characters kept (default 4).", minimum: 0)),
        ])),
        Property("key_env", .string("Environment variable holding the secret key for `hash` and `fake` (default WINNOW_PII_KEY). Never stored.", minLength: 1)),
        Property("key_file", .string("File holding the secret key, instead of `key_env`. Never stored.", minLength: 1)),
        Property("detectors", .array("User-defined detectors.", of: .object([
            Property("type", .string("Entity type name, e.g. ORDER_ID.", pattern: "^[A-Z][A-Z0-9_]*$"), required: true),
            Property("pattern", .string("PCRE2 pattern; include your own boundaries.", minLength: 1), required: true),
            Property("validator", .string("A built-in check the match must pass.", oneOf: ["luhn", "cn_id", "iban", "mod97"])),
            Property("action", .string("Action for this type.", oneOf: piiActions)),
        ]))),
    ])

    static func augmentOperation(_ description: String, digits: Bool = false) -> Schema {
        var properties = [Property("p", .number("Chance that a child gets this operation (default 1). A child that draws none gets one, picked in proportion to `p`.", minimum: 0, maximum: 1))]
        if digits {
            properties.append(Property("direction", .string("`to_chinese` (15 → 十五), `to_arabic` (十五 → 15), or `both` (default: to Chinese when the text has digits, else back).",
                                                           oneOf: ["to_chinese", "to_arabic", "both"])))
        } else {
            properties.append(Property("alpha", .number("Strength: the share of words (characters) changed, at least one (default 0.1).", minimum: 0, maximum: 1)))
        }
        return .object(description, properties)
    }

    public static let augment = Schema.object("Make new records from the records of the training split: EDA operations with WordNet or dictionary synonyms, Chinese character and numeral operations. Must come after `split`; children inherit the parent's split and label, carry `augmented_from` and `augmentation`, and never repeat a record or near-duplicate a record of another split.", [
        Property("splits", .anyOf("Splits whose records get children (default `train`). Test splits are refused.",
                                  [.string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1)])),
        Property("field", .string("Text field augmented (default `text`).", minLength: 1)),
        Property("copies", .integer("Children tried per record (default 1).", minimum: 1, maximum: 100)),
        Property("max_share", .number("Cap: children may be at most this share of a stratum's records, children included (0.5: as many children as originals). Which records get children is drawn from the seed.",
                                      maximum: 1, exclusiveMinimum: 0)),
        Property("stratify", .anyOf("Field(s) whose value combination is a stratum for `max_share` (default: the split stage's `stratify`).",
                                    [.string(minLength: 1), .array(of: .string(minLength: 1), minItems: 1)])),
        Property("operations", .object("Operations applied to each child, in the order written; each child gets every operation with probability `p`.", [
            Property("synonym_replacement", augmentOperation("EDA SR: ⌊alpha × words⌋ (at least 1) distinct words that are not stop words, each replaced everywhere by a random synonym.")),
            Property("random_insertion", augmentOperation("EDA RI: a synonym of a random word inserted at a random position, ⌊alpha × words⌋ times.")),
            Property("random_swap", augmentOperation("EDA RS: two random words swapped, ⌊alpha × words⌋ times.")),
            Property("random_deletion", augmentOperation("EDA RD: each word deleted with probability alpha (never all).")),
            Property("char_swap", augmentOperation("Two adjacent Chinese (Japanese, Korean) characters swapped, ⌊alpha × such characters⌋ times.")),
            Property("char_deletion", augmentOperation("Each Chinese (Japanese, Korean) character deleted with probability alpha (at least one, never all).")),
            Property("digits", augmentOperation("Numbers rewritten between Arabic digits and Chinese numerals.", digits: true)),
        ]), required: true),
        Property("synonyms", .object("Where synonyms come from: user dictionaries first, then WordNet.", [
            Property("wordnet", .anyOf("`true`: WordNet 3.0 from Debian's wordnet-base (/usr/share/wordnet); or the folder holding index.noun, data.noun, ...",
                                       [.boolean(), .string(minLength: 1)])),
            Property("pos", .array("WordNet parts of speech used (default all): `n`, `v`, `a` (with satellites), `r`.",
                                   of: .string(oneOf: ["n", "v", "a", "r"]), minItems: 1)),
            Property("dictionaries", .array("User dictionaries, relative to the pipeline file.", of: .object([
                Property("path", .string("UTF-8 file.", minLength: 1), required: true),
                Property("format", .string("`tsv`: one group of equivalent words per line, tab-separated (default); `cilin`: HIT Tongyici Cilin extended layout (`Aa01A01= 人 士 人物`; only `=` entries).",
                                           oneOf: ["tsv", "cilin"])),
            ]), minItems: 1)),
        ])),
        Property("stop_words", .anyOf("Words synonym operations leave alone: `builtin` (default: English and Chinese function words), `english`, `chinese`, `none`, or a list.",
                                      [.string(oneOf: ["builtin", "english", "chinese", "none"]), .array(of: .string(minLength: 1))])),
    ])

    public static let tokenize = Schema.object("Last stage: after the version is stored, encode each split with a Hugging Face tokenizer.json (ids equal to HF `tokenizers`) into token shards registered with the version, as `winnow tokenize` does. Records lacking a template field are quarantined.", [
        Property("tokenizer", .string("Path of a byte-level BPE tokenizer.json (GPT-2, Llama 3, Qwen2, DeepSeek families), relative to the pipeline file.", minLength: 1), required: true),
        Property("field", .string("Field encoded (default `text`).", minLength: 1)),
        Property("template", .string("Document text built from several fields, e.g. `{title}\\n\\n{text}`; `{{` and `}}` are literal braces. Instead of `field`.", minLength: 1)),
        Property("append_eos", .anyOf("End-of-document token appended to every document that produced tokens: a token string, or `true` for the tokenizer's usual one (`<|endoftext|>`, `</s>`, ...).",
                                      [.boolean(), .string(minLength: 1)])),
        Property("prepend_bos", .anyOf("Beginning-of-document token prepended to every document that produced tokens: a token string, or `true` for the tokenizer's usual one (`<|begin_of_text|>`, `<s>`, ...).",
                                       [.boolean(), .string(minLength: 1)])),
        Property("special_tokens", .string("How special-token strings inside the text are encoded: `text` (default; as plain text, safe for scraped data) or `control` (as their control ids, HF's default).",
                                           oneOf: ["text", "control"])),
        Property("format", .string("`megatron` (MMIDIDX .bin/.idx, default) or `nanogpt` (flat uint16/uint32 .bin).", oneOf: ["megatron", "nanogpt"])),
        Property("max_shard_tokens", .integer("Start a new shard before a document that would take one past this many tokens (documents are never cut).", minimum: 1)),
        Property("labels", .boolean("Write each shard's `label` values as an int32 `.labels.npy` (names in the manifest).")),
        Property("output", .string("Folder for the shards, relative to the pipeline file; each version writes into `DATASET@N/` inside it (default: `shards/` in the store).", minLength: 1)),
    ])

    /// Stage name -> configuration schema, in the order documentation lists them.
    public static let stages: [Property] = [
        Property("html", htmlStage),
        Property("clean", clean),
        Property("regex", regex),
        Property("filter", filter),
        Property("fields", fieldsStage),
        Property("fill", fill),
        Property("outliers", outliers),
        Property("dedup", dedup),
        Property("split", split),
        Property("pii", pii),
        Property("augment", augment),
        Property("tokenize", tokenize),
    ]

    public static let pipeline = Schema.object("A Winnow pipeline: inputs, then stages applied in order.", [
        Property("$schema", .string("Path or URL of this JSON Schema, for editor completion; ignored by Winnow.")),
        Property("dataset", .string("Dataset name; versions are `dataset@1`, `dataset@2`, ...", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$"), required: true),
        Property("description", .string("Free text.")),
        Property("seed", .integer("Seed for every random choice (default 0).", minimum: 0)),
        Property("max_error_rate", .number("Largest share of input rows that may be quarantined before the build fails (default 0.01).", minimum: 0, maximum: 1)),
        Property("inputs", .array(of: input, minItems: 1), required: true),
        Property("stages", .array("Stages, applied in order. Each is an object with one key naming the stage.",
                                  of: Schema(.tagged(stages)))),
    ])

    /// The JSON Schema document committed as `schemas/pipeline.schema.json`.
    public static var jsonSchema: String {
        JSONWriter.pretty(SchemaExporter.document(pipeline, id: "https://winnow.dev/schemas/pipeline.schema.json",
                                                  title: "Winnow pipeline"))
    }
}
