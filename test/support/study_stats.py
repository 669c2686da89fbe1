"""Independent recomputation of a study folder's statistics (test/unit/study.test.ts).

Reads <dir>/study.json for the variant ids and <dir>/<id>/samples_*.jsonl for the samples, and
recomputes every statistic with numpy, scipy (kendalltau), statsmodels (McNemar's exact test,
Fleiss' kappa) and scikit-learn (Cohen's kappa). Prints one JSON object shaped like study.json's
variants / pairs / overall. Also checks each sample's shown choices against the MMLU CSV with
Python's csv module, and prints what the permutations must be (random:<seed> by random.shuffle).
"""
import csv
import glob
import json
import math
import random
import sys
import warnings

import numpy as np
from scipy.stats import kendalltau
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.inter_rater import fleiss_kappa

warnings.simplefilter("ignore")
folder, mmlu = sys.argv[1], sys.argv[2]
study = json.load(open(f"{folder}/study.json"))
ids = [v["id"] for v in study["variants"]]
axes = {v["id"]: v["axes"] for v in study["variants"]}
samples = {}
for vid in ids:
    rows = []
    for f in sorted(glob.glob(f"{folder}/{vid}/samples_*.jsonl")):
        rows += [json.loads(line) for line in open(f, encoding="utf-8")]
    samples[vid] = {(r["subject"], r["doc_id"]): r for r in rows}
keys = sorted(samples[ids[0]].keys())
subjects = sorted({k[0] for k in keys})


def probs(r):
    ll = np.array(r["loglikelihoods"], dtype=float)
    e = np.exp(ll - ll.max())
    return e / e.sum()


def none_if_nan(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


out = {"variants": [], "pairs": [], "overall": {}, "permutation_errors": []}
for vid in ids:
    rs = [samples[vid][k] for k in keys]
    acc = np.array([r["acc"] for r in rs], dtype=float)
    P = [probs(r) for r in rs]
    conf = np.array([p.max() for p in P])
    correct = np.array([r["pred"] == r["target"] for r in rs], dtype=float)
    b = np.minimum(np.floor(conf * 10).astype(int), 9)
    ece = sum((b == i).mean() * abs(correct[b == i].mean() - conf[b == i].mean()) for i in range(10) if (b == i).any())
    brier = np.mean([((p - np.eye(len(p))[r["target"]]) ** 2).sum() for p, r in zip(P, rs)])
    golds = sorted({r["target"] for r in rs})
    recall = [np.mean([r["pred"] == g for r in rs if r["target"] == g]) for g in golds]
    out["variants"].append(
        dict(id=vid, n=len(rs), acc=acc.mean(), acc_stderr=acc.std(ddof=1) / math.sqrt(len(rs)),
             ece=float(ece), brier=float(brier), rstd=float(np.std(recall)))
    )


def subject_accs(vid):
    return [np.mean([samples[vid][k]["acc"] for k in keys if k[0] == s]) for s in subjects]


for i in range(len(ids)):
    for j in range(i + 1, len(ids)):
        a = np.array([samples[ids[i]][k]["acc"] for k in keys], dtype=bool)
        c = np.array([samples[ids[j]][k]["acc"] for k in keys], dtype=bool)
        n = len(keys)
        both, ao, bo = int((a & c).sum()), int((a & ~c).sum()), int((~a & c).sum())
        diff = (ao - bo) / n
        se = math.sqrt(ao + bo - (ao - bo) ** 2 / n) / n
        pa = [samples[ids[i]][k]["pred_original"] for k in keys]
        pb = [samples[ids[j]][k]["pred_original"] for k in keys]
        kappa = cohen_kappa_score(pa, pb, labels=[0, 1, 2, 3])
        if math.isnan(kappa) and pa == pb:
            kappa = 1.0
        tau = kendalltau(subject_accs(ids[i]), subject_accs(ids[j])).statistic
        out["pairs"].append(
            dict(a=ids[i], b=ids[j], n=n, both_correct=both, a_only=ao, b_only=bo, neither=n - both - ao - bo,
                 diff=diff, diff_ci=[diff - 1.959964 * se, diff + 1.959964 * se],
                 mcnemar_p=float(mcnemar([[both, ao], [bo, n - both - ao - bo]], exact=True).pvalue) if ao + bo else 1.0,
                 agreement=float(np.mean([x == y for x, y in zip(pa, pb)])),
                 cohen_kappa=none_if_nan(float(kappa)), kendall_tau=none_if_nan(float(tau)))
        )

accs = np.array([v["acc"] for v in out["variants"]])
table = np.zeros((len(keys), 4))
for vid in ids:
    for q, k in enumerate(keys):
        table[q, samples[vid][k]["pred_original"]] += 1
right = np.array([[samples[vid][k]["acc"] for k in keys] for vid in ids])
out["overall"] = dict(spread=float(accs.max() - accs.min()), std=float(accs.std()),
                      fleiss_kappa=float(fleiss_kappa(table, method="fleiss")),
                      all_correct=float(right.all(axis=0).mean()), any_correct=float(right.any(axis=0).mean()))
rot = [next((v for v in ids if axes[v]["order"] == f"cyc{s}"), None) for s in range(4)]
if all(rot):
    circ, deb = 0, 0
    for k in keys:
        rs = [samples[v][k] for v in rot]
        circ += all(r["acc"] for r in rs)
        avg = np.zeros(4)
        for r in rs:
            for shown, p in enumerate(probs(r)):
                avg[r["permutation"][shown]] += p / 4
        deb += int(np.argmax(avg) == rs[0]["permutation"][rs[0]["target"]])
    out["overall"]["circular_acc"] = circ / len(keys)
    out["overall"]["debiased_acc"] = deb / len(keys)

# The shown choices against the CSV, and the permutation each order must give.
split = study["split"]
for vid in ids:
    order = axes[vid]["order"]
    for s in subjects:
        with open(f"{mmlu}/{split}/{s}_{split}.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        rnd = random.Random(int(order.split(":")[1])) if order.startswith("random:") else None
        for doc_id, row in enumerate(rows):
            r = samples[vid].get((s, doc_id))
            if rnd:
                perm = list(range(4))
                rnd.shuffle(perm)
            if r is None:
                continue
            if order.startswith("cyc"):
                perm = [(p - int(order[3:])) % 4 for p in range(4)]
            elif order == "identity":
                perm = [0, 1, 2, 3]
            elif order == "reverse":
                perm = [3, 2, 1, 0]
            expect = [f"{'ABCD'[p]}. {row[1 + perm[p]]}" for p in range(4)]
            shown_ok = r["context"].endswith("\n" + "\n".join(expect) + "\nAnswer:")
            gold = "ABCD".index(row[5])
            if r["permutation"] != perm or not shown_ok or r["target"] != perm.index(gold) or r["pred_original"] != perm[r["pred"]]:
                out["permutation_errors"].append([vid, s, doc_id])
print(json.dumps(out))
