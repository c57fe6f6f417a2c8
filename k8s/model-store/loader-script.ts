import { LOADER_ALLOW_PATTERNS, LOADER_IGNORE_PATTERNS } from './served-files';

/**
 * The Python program the one-shot loader Job runs (in the pinned vLLM image, which ships
 * huggingface_hub). Everything it needs comes from environment variables set by loader-job.ts.
 *
 * Only the files vLLM serves from are fetched and verified (served-files.ts: safetensors weights, the
 * config and tokenizer files; never pickles `*.bin`/`*.pt`/`*.pth` or code `*.py`). The Hub listing is
 * filtered with huggingface_hub's own `filter_repo_objects` and the same patterns `snapshot_download`
 * gets, so the files verified and recorded are exactly the files downloaded. A revision without
 * safetensors weights is refused (vLLM runs with --load-format safetensors).
 *
 * huggingface source: resolve model.revision to a commit and list its files with the Hub's own
 * metadata (`model_info(files_metadata=True)`: size, the LFS SHA-256 of every LFS file, the git blob
 * SHA-1 of every other file), download the served ones into MODEL_DIR, verify every file's size AND
 * hash against that metadata, make the tree world-readable (vLLM runs as a non-root UID), then write
 * the marker LAST, recording each file's size and hash. A same-size tampered or corrupted file fails
 * the hash.
 * s3 source: the FSx data repository association has imported the objects' metadata; read every file
 * served file once so Lustre pulls the bytes from S3 now (not while eight vLLM pods start), hash each file while
 * reading, check the safetensors index names only present shards, then write the marker with the
 * hashes. There is no external reference hash for S3 objects: the marker records what was verified,
 * and a later change of the files (S3 auto-import) is refused until the marker is deleted.
 *
 * A rerun never trusts the marker alone: it re-hashes every file against the hashes the marker
 * recorded (for a branch revision after asking the Hub whether the commit moved, and checking the
 * marker's hashes against the Hub's). Any mismatch drops the marker and downloads again
 * (huggingface) or fails (s3). An update removes the marker first, so an interrupted run never leaves
 * a stale "complete" marker behind.
 */
export const LOADER_SCRIPT = String.raw`
import hashlib, json, os, re, sys, time
from huggingface_hub.utils import filter_repo_objects

MODEL_ID = os.environ["MODEL_ID"]
REVISION = os.environ["MODEL_REVISION"]
MODEL_DIR = os.environ["MODEL_DIR"]
MARKER = os.environ["WEIGHTS_MARKER"]
RESULTS_DIR = os.environ["RESULTS_DIR"]
RESULTS_OWNER_UID = int(os.environ["RESULTS_OWNER_UID"])
SOURCE = os.environ["MODEL_SOURCE"]
IGNORED = {os.path.basename(MARKER), os.path.basename(MARKER) + ".tmp"}
CHUNK = 16 << 20
# What vLLM serves from (k8s/model-store/served-files.ts); nothing else is fetched, hashed or recorded.
ALLOW_PATTERNS = ${JSON.stringify(LOADER_ALLOW_PATTERNS)}
IGNORE_PATTERNS = ${JSON.stringify(LOADER_IGNORE_PATTERNS)}


def log(msg):
    print("llmd-bench loader: " + msg, flush=True)


def fail(msg):
    log("ERROR: " + msg)
    sys.exit(1)


def read_marker():
    try:
        with open(MARKER) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return None


def local_files():
    """Relative path -> size of every file under MODEL_DIR (without the marker and Hub caches)."""
    out = {}
    for root, dirs, files in os.walk(MODEL_DIR):
        dirs[:] = [d for d in dirs if d != ".cache"]
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, MODEL_DIR)
            if rel not in IGNORED:
                out[rel] = os.path.getsize(path)
    return out


def digest(path, kind):
    """sha256 of the content, or gitSha1 (the git blob id the Hub lists for non-LFS files)."""
    h = hashlib.sha256() if kind == "sha256" else hashlib.sha1()
    if kind == "gitSha1":
        h.update(b"blob %d\0" % os.path.getsize(path))
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            h.update(chunk)
    return h.hexdigest()


def served(names):
    """The names vLLM serves from: the same filter (and patterns) snapshot_download applies."""
    return set(filter_repo_objects(list(names), allow_patterns=ALLOW_PATTERNS, ignore_patterns=IGNORE_PATTERNS))


def require_safetensors(names, where):
    if not any(n.endswith(".safetensors") for n in names):
        fail("%s has no *.safetensors weights; vLLM runs with --load-format safetensors and loads no pickled checkpoint (*.bin, *.pt)" % where)


def hub_expected(info):
    """Relative path -> {size, sha256 | gitSha1} from the Hub's metadata for this commit, for the served files."""
    out = {}
    keep = served(s.rfilename for s in info.siblings)
    skipped = sorted(s.rfilename for s in info.siblings if s.rfilename not in keep)
    if skipped:
        log("not fetched (vLLM does not read them): %d files, e.g. %s" % (len(skipped), ", ".join(skipped[:5])))
    for s in info.siblings:
        if s.rfilename not in keep:
            continue
        lfs = getattr(s, "lfs", None)
        sha256 = getattr(lfs, "sha256", None) if lfs is not None else None
        if isinstance(lfs, dict):
            sha256 = lfs.get("sha256")
        entry = {"size": s.size}
        if sha256:
            entry["sha256"] = sha256
        elif getattr(s, "blob_id", None):
            entry["gitSha1"] = s.blob_id
        else:
            fail("the Hub lists no hash for %s in %s@%s; cannot verify it" % (s.rfilename, MODEL_ID, REVISION))
        out[s.rfilename] = entry
    return out


def mismatches(expected):
    """Files missing, of another size, or with another hash than expected (sizes first: cheap)."""
    have = local_files()
    bad = []
    for name, want in sorted(expected.items()):
        if name not in have:
            bad.append("missing " + name)
        elif want.get("size") is not None and have[name] != want["size"]:
            bad.append("%s has %d bytes, expected %d" % (name, have[name], want["size"]))
    if bad:
        return bad
    for name, want in sorted(expected.items()):
        kind = "sha256" if "sha256" in want else "gitSha1"
        got = digest(os.path.join(MODEL_DIR, name), kind)
        if got != want[kind]:
            bad.append("%s has %s %s, expected %s" % (name, kind, got, want[kind]))
    return bad


def drop_marker():
    for path in (MARKER, MARKER + ".tmp"):
        if os.path.exists(path):
            os.remove(path)


def write_marker(doc):
    doc["completedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tmp = MARKER + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, MARKER)


def make_world_readable():
    for root, dirs, files in os.walk(MODEL_DIR):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def marker_files(marker):
    """The served files the marker records with hashes (a marker of an older loader may list more: not checked)."""
    files = (marker or {}).get("files")
    ok = isinstance(files, dict) and files and all(isinstance(v, dict) and ("sha256" in v or "gitSha1" in v) for v in files.values())
    if not ok:
        return None
    keep = served(files)
    return {n: v for n, v in files.items() if n in keep} or None


def from_huggingface():
    marker = read_marker()
    recorded = marker_files(marker)
    pinned = re.fullmatch(r"[0-9a-f]{40}", REVISION) is not None
    if marker and recorded and marker.get("revision") == REVISION and pinned:
        bad = mismatches(recorded)
        if not bad:
            log("%s@%s is complete: %d files re-verified against the hashes in the marker; nothing to do" % (MODEL_ID, REVISION, len(recorded)))
            return
        log("the marker does not hold any more (%s); verifying against the Hub" % "; ".join(bad[:5]))
    from huggingface_hub import HfApi, snapshot_download
    info = HfApi().model_info(MODEL_ID, revision=REVISION, files_metadata=True)
    expected = hub_expected(info)
    if not expected or any(e.get("size") is None for e in expected.values()):
        fail("the Hub listing of %s@%s has no file sizes; cannot verify a download" % (MODEL_ID, REVISION))
    require_safetensors(expected, "%s@%s" % (MODEL_ID, REVISION))
    total = sum(e["size"] for e in expected.values())
    doc = {"source": "huggingface", "model": MODEL_ID, "revision": REVISION, "sha": info.sha, "files": expected, "bytes": total}
    if marker and marker.get("sha") == info.sha and not mismatches(expected):
        if marker.get("files") != expected:
            write_marker(doc)  # a marker of an older loader (sizes only, or every file of the repo) gets the served files' hashes
        log("%s@%s (commit %s) is complete: %d files verified against the Hub's hashes; nothing to do" % (MODEL_ID, REVISION, info.sha, len(expected)))
        return
    drop_marker()
    log("downloading %s@%s (commit %s): %d files, %.2f GB into %s" % (MODEL_ID, REVISION, info.sha, len(expected), total / 1e9, MODEL_DIR))
    snapshot_download(repo_id=MODEL_ID, revision=info.sha, local_dir=MODEL_DIR, max_workers=8,
                      allow_patterns=ALLOW_PATTERNS, ignore_patterns=IGNORE_PATTERNS)
    bad = mismatches(expected)
    if bad:
        fail("download does not match the Hub's metadata: " + "; ".join(bad))
    make_world_readable()
    write_marker(doc)
    log("verified %d files (%d bytes, sizes and hashes); marker written: %s" % (len(expected), total, MARKER))


def from_s3():
    # Only what vLLM serves from is hydrated, hashed and recorded; anything else under the prefix is left alone.
    present = local_files()
    keep = served(present)
    files = {n: size for n, size in present.items() if n in keep}
    marker = read_marker()
    recorded = marker_files(marker)
    if marker and marker.get("source") == "s3" and recorded:
        bad = mismatches(recorded) if set(recorded) == set(files) else ["the file list changed"]
        if not bad:
            log("%s is complete: %d files re-verified against the hashes in the marker; nothing to do" % (MODEL_DIR, len(files)))
            return
        fail("the files under %s changed since they were verified (%s); if the S3 prefix was updated on purpose, delete %s and run the loader again" % (MODEL_DIR, "; ".join(bad[:5]), MARKER))
    if "config.json" not in files:
        fail("%s/config.json not found: does %s hold the model files directly?" % (MODEL_DIR, os.environ.get("MODEL_S3_URI", "the S3 prefix")))
    require_safetensors(files, os.environ.get("MODEL_S3_URI", MODEL_DIR))
    index = os.path.join(MODEL_DIR, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = set(json.load(f).get("weight_map", {}).values())
        missing = sorted(s for s in shards if s not in files)
        if missing:
            fail("shards named by model.safetensors.index.json are missing: " + ", ".join(missing))
    drop_marker()
    total = 0
    hashed = {}
    for name in sorted(files):
        h = hashlib.sha256()
        size = 0
        with open(os.path.join(MODEL_DIR, name), "rb") as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                h.update(chunk)
        total += size
        hashed[name] = {"size": size, "sha256": h.hexdigest()}
        log("hydrated " + name)
    if total != sum(files.values()):
        fail("read %d bytes, the file sizes add up to %d" % (total, sum(files.values())))
    unreadable = [n for n in files if not os.stat(os.path.join(MODEL_DIR, n)).st_mode & 0o004]
    if unreadable:
        fail("not world-readable (vLLM runs as a non-root user): " + ", ".join(sorted(unreadable)))
    write_marker({"source": "s3", "model": MODEL_ID, "files": hashed, "bytes": total})
    log("hydrated and hashed %d files (%d bytes) from S3; marker written: %s" % (len(files), total, MARKER))


os.makedirs(MODEL_DIR, exist_ok=True)
os.makedirs(RESULTS_DIR, exist_ok=True)
# The benchmark client (non-root) writes its result copies here (the results claim mounts this directory).
os.chown(RESULTS_DIR, RESULTS_OWNER_UID, RESULTS_OWNER_UID)
os.chmod(RESULTS_DIR, 0o755)
if SOURCE == "huggingface":
    from_huggingface()
elif SOURCE == "s3":
    from_s3()
else:
    fail("unknown MODEL_SOURCE " + SOURCE)
`;
