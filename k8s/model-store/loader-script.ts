/**
 * The Python program the one-shot loader Job runs (in the pinned vLLM image, which ships
 * huggingface_hub). Everything it needs comes from environment variables set by loader-chart.ts.
 *
 * huggingface source: resolve model.revision to a commit, list its files with sizes (the Hub's own
 * listing), download them into MODEL_DIR, verify every file is present with exactly that size, make
 * the tree world-readable (vLLM runs as a non-root UID), then write the marker LAST.
 * s3 source: the FSx data repository association has imported the objects' metadata; read every file
 * once so Lustre pulls the bytes from S3 now (not while eight vLLM pods start), check the safetensors
 * index names only present shards, then write the marker.
 *
 * Idempotent: when the marker records the same revision (and, for a sha, the files still match) the
 * run ends without touching the Hub. An update removes the marker first, so an interrupted run never
 * leaves a stale "complete" marker behind.
 */
export const LOADER_SCRIPT = String.raw`
import json, os, re, sys, time

MODEL_ID = os.environ["MODEL_ID"]
REVISION = os.environ["MODEL_REVISION"]
MODEL_DIR = os.environ["MODEL_DIR"]
MARKER = os.environ["WEIGHTS_MARKER"]
RESULTS_DIR = os.environ["RESULTS_DIR"]
RESULTS_OWNER_UID = int(os.environ["RESULTS_OWNER_UID"])
SOURCE = os.environ["MODEL_SOURCE"]
IGNORED = {os.path.basename(MARKER), os.path.basename(MARKER) + ".tmp"}


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


def mismatches(expected):
    have = local_files()
    bad = []
    for name, size in sorted(expected.items()):
        if name not in have:
            bad.append("missing " + name)
        elif size is not None and have[name] != size:
            bad.append("%s has %d bytes, expected %d" % (name, have[name], size))
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


def from_huggingface():
    marker = read_marker()
    pinned = re.fullmatch(r"[0-9a-f]{40}", REVISION) is not None
    if marker and marker.get("revision") == REVISION and pinned and not mismatches(marker.get("files", {})):
        log("%s@%s is complete (marker matches, %d files); nothing to do" % (MODEL_ID, REVISION, len(marker["files"])))
        return
    from huggingface_hub import HfApi, snapshot_download
    info = HfApi().model_info(MODEL_ID, revision=REVISION, files_metadata=True)
    expected = {s.rfilename: s.size for s in info.siblings}
    if not expected or any(size is None for size in expected.values()):
        fail("the Hub listing of %s@%s has no file sizes; cannot verify a download" % (MODEL_ID, REVISION))
    if marker and marker.get("sha") == info.sha and not mismatches(expected):
        log("%s@%s (commit %s) is complete; nothing to do" % (MODEL_ID, REVISION, info.sha))
        return
    drop_marker()
    total = sum(expected.values())
    log("downloading %s@%s (commit %s): %d files, %.2f GB into %s" % (MODEL_ID, REVISION, info.sha, len(expected), total / 1e9, MODEL_DIR))
    snapshot_download(repo_id=MODEL_ID, revision=info.sha, local_dir=MODEL_DIR, max_workers=8)
    bad = mismatches(expected)
    if bad:
        fail("download incomplete: " + "; ".join(bad))
    make_world_readable()
    write_marker({"source": "huggingface", "model": MODEL_ID, "revision": REVISION, "sha": info.sha,
                  "files": expected, "bytes": total})
    log("verified %d files (%d bytes); marker written: %s" % (len(expected), total, MARKER))


def from_s3():
    files = local_files()
    marker = read_marker()
    if marker and marker.get("source") == "s3" and marker.get("files") == files:
        log("%s is complete (marker matches %d files); nothing to do" % (MODEL_DIR, len(files)))
        return
    if "config.json" not in files:
        fail("%s/config.json not found: does %s hold the model files directly?" % (MODEL_DIR, os.environ.get("MODEL_S3_URI", "the S3 prefix")))
    index = os.path.join(MODEL_DIR, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            shards = set(json.load(f).get("weight_map", {}).values())
        missing = sorted(s for s in shards if s not in files)
        if missing:
            fail("shards named by model.safetensors.index.json are missing: " + ", ".join(missing))
    drop_marker()
    total = 0
    for name in sorted(files):
        with open(os.path.join(MODEL_DIR, name), "rb") as f:
            while True:
                chunk = f.read(16 << 20)
                if not chunk:
                    break
                total += len(chunk)
        log("hydrated " + name)
    if total != sum(files.values()):
        fail("read %d bytes, the file sizes add up to %d" % (total, sum(files.values())))
    unreadable = [n for n in files if not os.stat(os.path.join(MODEL_DIR, n)).st_mode & 0o004]
    if unreadable:
        fail("not world-readable (vLLM runs as a non-root user): " + ", ".join(sorted(unreadable)))
    write_marker({"source": "s3", "model": MODEL_ID, "files": files, "bytes": total})
    log("hydrated %d files (%d bytes) from S3; marker written: %s" % (len(files), total, MARKER))


os.makedirs(MODEL_DIR, exist_ok=True)
os.makedirs(RESULTS_DIR, exist_ok=True)
# The benchmark client (non-root) writes its result copies here.
os.chown(RESULTS_DIR, RESULTS_OWNER_UID, RESULTS_OWNER_UID)
os.chmod(RESULTS_DIR, 0o755)
if SOURCE == "huggingface":
    from_huggingface()
elif SOURCE == "s3":
    from_s3()
else:
    fail("unknown MODEL_SOURCE " + SOURCE)
`;
