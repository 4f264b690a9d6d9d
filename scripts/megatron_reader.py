"""A reader for Megatron-LM indexed datasets (MMIDIDX v1), written from the format description in
../shared/specs/FORMATS.md §1.1 with numpy only — deliberately independent of Winnow's writer.

    docs = MegatronDataset("out/reviews_all_00000")
    len(docs), docs[0]          # number of documents, token ids of the first one (numpy array)
"""
import struct

import numpy as np

DTYPES = {1: np.uint8, 2: np.int8, 3: np.int16, 4: np.int32, 5: np.int64, 6: np.float64, 7: np.float32, 8: np.uint16}
MAGIC = b"MMIDIDX\x00\x00"


class MegatronDataset:
    def __init__(self, prefix: str):
        with open(prefix + ".idx", "rb") as f:
            idx = f.read()
        if idx[:9] != MAGIC:
            raise ValueError(f"{prefix}.idx: bad magic {idx[:9]!r}")
        (version,) = struct.unpack_from("<Q", idx, 9)
        if version != 1:
            raise ValueError(f"{prefix}.idx: version {version}, expected 1")
        code = idx[17]
        if code not in DTYPES:
            raise ValueError(f"{prefix}.idx: unknown dtype code {code}")
        self.dtype = np.dtype(DTYPES[code])
        seq_count, doc_count = struct.unpack_from("<QQ", idx, 18)
        offset = 34
        self.lengths = np.frombuffer(idx, dtype="<i4", count=seq_count, offset=offset)
        offset += 4 * seq_count
        self.pointers = np.frombuffer(idx, dtype="<i8", count=seq_count, offset=offset)
        offset += 8 * seq_count
        self.document_indices = np.frombuffer(idx, dtype="<i8", count=doc_count, offset=offset)
        offset += 8 * doc_count
        if offset != len(idx):
            raise ValueError(f"{prefix}.idx: {len(idx) - offset} unexpected trailing bytes")
        if doc_count == 0 or self.document_indices[0] != 0 or self.document_indices[-1] != seq_count:
            raise ValueError(f"{prefix}.idx: document_indices must run from 0 to the sequence count")
        self.bin = np.memmap(prefix + ".bin", dtype=self.dtype.newbyteorder("<"), mode="r")
        item = self.dtype.itemsize
        expected = np.concatenate([[0], np.cumsum(self.lengths.astype(np.int64) * item)[:-1]]) if seq_count else np.array([], dtype=np.int64)
        if not np.array_equal(self.pointers, expected):
            raise ValueError(f"{prefix}.idx: pointers are not the running sum of lengths")
        if seq_count and (self.pointers[-1] + self.lengths[-1] * item) != self.bin.size * item:
            raise ValueError(f"{prefix}.bin: size does not match the index")

    def __len__(self):
        return len(self.lengths)

    def __getitem__(self, i):
        start = self.pointers[i] // self.dtype.itemsize
        return np.asarray(self.bin[start:start + self.lengths[i]])

    @property
    def tokens(self):
        """All tokens, as one flat array (documents back to back)."""
        return self.bin
