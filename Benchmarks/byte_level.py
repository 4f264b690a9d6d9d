"""The GPT-2 byte-level alphabet shared by the benchmark scripts (HF tokenizers' ByteLevel)."""


def byte_decoder():
    """Printable character of the byte-level alphabet -> the byte it stands for."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(range(ord("\xae"), ord("\xff") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}
