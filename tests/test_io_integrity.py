"""Damaged model files are refused (SHA-256 digests); saves are atomic."""

import hashlib
import json
import os
import struct

import numpy as np
import pytest

from sklmtl import MultiTaskNetClassifier
from sklmtl.io import load, save

from .conftest import FAST, make_problem

# What every refusal of a damaged file says.
DAMAGED = r"is damaged|or a damaged one|or it is damaged"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small fitted classifier, its rows and the bytes of its saved file."""
    X, Y = make_problem(n_samples=40)
    clf = MultiTaskNetClassifier(**{**FAST, "max_epochs": 1}).fit(X, Y)
    path = tmp_path_factory.mktemp("saved") / "m.safetensors"
    save(clf, path)
    return clf, X, path.read_bytes()


def _header_end(raw):
    (length,) = struct.unpack("<Q", raw[:8])
    return 8 + length


def _assert_same_predictions(a, b, X):
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    for p, q in zip(a.predict_proba(X), b.predict_proba(X)):
        np.testing.assert_array_equal(p, q)


def _damaged_copies(raw, kind, n, seed):
    rng = np.random.RandomState(seed)
    for _ in range(n):
        data = bytearray(raw)
        if kind == "bitflip-anywhere" or kind == "bitflip-header":
            end = _header_end(raw) if kind == "bitflip-header" else len(raw)
            for _ in range(rng.randint(1, 4)):
                data[rng.randint(end)] ^= 1 << rng.randint(8)
        elif kind == "truncate":
            data = data[: len(data) - rng.randint(1, len(data) - 8)]
        else:  # a run of zeros in the tensor data
            run = rng.randint(1, 64)
            start = rng.randint(_header_end(raw), len(raw) - run)
            data[start : start + run] = bytes(run)
        yield bytes(data)


@pytest.mark.parametrize(
    "kind", ["bitflip-anywhere", "bitflip-header", "truncate", "zeros"]
)
def test_a_damaged_file_is_refused_naming_the_damage_or_predicts_the_same(
    kind, saved, tmp_path
):
    """Each copy is refused with a message saying it is damaged, or (a damage
    that changed no byte read, e.g. zeros over zeros) predicts exactly as
    the original; on main, some loaded and predicted differently."""
    clf, X, raw = saved
    path = tmp_path / "damaged.safetensors"
    refused = 0
    for data in _damaged_copies(raw, kind, n=10, seed=len(kind)):
        path.write_bytes(data)
        try:
            loaded = load(path)
        except (ValueError, TypeError) as exc:
            assert any(
                part in str(exc)
                for part in ("is damaged", "or a damaged one", "or it is damaged")
            ), str(exc)
            refused += 1
        else:
            _assert_same_predictions(clf, loaded, X)
    assert refused >= 8


def test_the_message_says_which_part_is_damaged(saved, tmp_path):
    clf, X, raw = saved
    path = tmp_path / "m.safetensors"
    # One bit of the last tensor byte (tensor data).
    path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 0x01]))
    with pytest.raises(ValueError, match="is damaged: the tensor data"):
        load(path)
    # A character of the metadata changed, the header still valid JSON.
    end = _header_end(raw)
    at = raw.index(b'\\"lr\\"', 8, end) + 3  # the r of "lr" in the JSON
    path.write_bytes(raw[:at] + b"R" + raw[at + 1 :])
    with pytest.raises(ValueError, match="is damaged: the metadata"):
        load(path)
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="or it is damaged \\(e.g. truncated\\)"):
        load(path)


def _edit_metadata(raw, edit):
    end = _header_end(raw)
    header = json.loads(raw[8:end])
    edit(header["__metadata__"])
    new = json.dumps(header).encode()
    return struct.pack("<Q", len(new)) + new + raw[end:]


def test_a_file_marked_older_or_stripped_of_its_digests_is_refused(saved, tmp_path):
    """Damage that makes a version-6 file look like an undigested version-5
    one is refused, not loaded unchecked."""
    _, _, raw = saved
    path = tmp_path / "m.safetensors"

    def older(metadata):
        metadata["format_version"] = "5"

    path.write_bytes(_edit_metadata(raw, older))
    with pytest.raises(ValueError, match="is damaged: the metadata"):
        load(path)

    def stripped(metadata):
        del metadata["sha256_tensors"], metadata["sha256_metadata"]

    path.write_bytes(_edit_metadata(raw, stripped))
    with pytest.raises(ValueError, match="lacks the digests"):
        load(path)

    def stripped_and_older(metadata):
        stripped(metadata)
        older(metadata)

    path.write_bytes(_edit_metadata(raw, stripped_and_older))
    with pytest.raises(ValueError, match="is damaged: its metadata cannot be read"):
        load(path)


def test_a_format_5_file_loads_with_a_warning_that_it_has_no_digest(saved, tmp_path):
    clf, X, raw = saved

    def as_version_5(metadata):
        metadata["format_version"] = "5"
        payload = json.loads(metadata["sklmtl"])
        payload["format_version"] = 5
        metadata["sklmtl"] = json.dumps(payload)
        del metadata["sha256_tensors"], metadata["sha256_metadata"]

    path = tmp_path / "m.safetensors"
    path.write_bytes(_edit_metadata(raw, as_version_5))
    with pytest.warns(UserWarning, match="format version 5, which carries no digest"):
        loaded = load(path)
    _assert_same_predictions(clf, loaded, X)


def test_the_digests_cover_what_is_written(saved, tmp_path):
    """sha256_metadata is the SHA-256 of the other entries (sorted JSON)."""
    _, _, raw = saved
    metadata = json.loads(raw[8 : _header_end(raw)])["__metadata__"]
    assert metadata["format_version"] == "6"
    entries = {k: v for k, v in metadata.items() if k != "sha256_metadata"}
    assert set(entries) == {"format", "format_version", "sklmtl", "sha256_tensors"}
    expected = hashlib.sha256(json.dumps(entries, sort_keys=True).encode())
    assert metadata["sha256_metadata"] == expected.hexdigest()


def test_saving_over_an_existing_file_replaces_it(saved, tmp_path):
    clf, X, raw = saved
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"an older file")
    save(clf, path)
    _assert_same_predictions(clf, load(path), X)
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_a_failed_save_leaves_the_previous_file_as_it_was(saved, tmp_path, monkeypatch):
    clf, _, raw = saved
    path = tmp_path / "m.safetensors"
    path.write_bytes(raw)

    def fail_halfway(tensors, filename, metadata=None):
        with open(filename, "wb") as handle:
            handle.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sklmtl.io._files.save_file", fail_halfway)
    with pytest.raises(OSError, match="No space left"):
        save(clf, path)
    assert path.read_bytes() == raw
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_a_save_into_a_missing_or_unwritable_folder_names_the_folder(saved, tmp_path):
    clf, _, _ = saved
    missing = tmp_path / "no such folder"
    with pytest.raises(FileNotFoundError, match="cannot create a file in the folder"):
        save(clf, missing / "m.safetensors")
    assert not missing.exists()
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_bytes(b"")
    with pytest.raises(NotADirectoryError, match="a file"):
        save(clf, not_a_folder / "m.safetensors")
    if os.name == "posix" and os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(PermissionError, match="locked"):
            save(clf, locked / "m.safetensors")
