"""Reference values for test/unit/calibration.test.ts, computed with numpy from samples on stdin.

Input: {"samples": [{"loglikelihoods": [...], "target": t, "pred": p, "subject": s}, ...], "groups": {name: [subjects]}}
Output: ece, brier, rms_calibration_error (overall and per group), answer distribution and RStd.

rms_calibration_error re-implements the path the MMLU paper's test_calibration.py takes through
calib_tools.rmsce (hendrycks/test): GeneralCalibrationError(binning_scheme='adaptive',
max_prob=True, class_conditional=False, norm='l2', datapoints_per_bin=100) on 1-D confidences.
"""
import json
import sys

import numpy as np

data = json.load(sys.stdin)


def softmax(ll):
    ll = np.asarray(ll, dtype=np.float64)
    e = np.exp(ll - ll.max())
    return e / e.sum()


def rmsce(correct, max_probs):
    probs = np.array([[1 - p, p] for p in max_probs])  # binary_converter
    labels_matrix = np.eye(2)[np.asarray(correct, dtype=int)]  # one_hot_encode
    num_bins = int(len(probs) / 100)
    top = np.argmax(probs, axis=1)
    labels_matrix = labels_matrix[range(len(probs)), top]
    probs = probs[range(len(probs)), top]
    labels_matrix = labels_matrix[probs > 0.0]
    probs = probs[probs > 0.0]
    # get_adaptive_bins
    edge_indices = np.round(np.linspace(0, len(probs), num_bins, endpoint=False)).astype(int)
    edge_indices = np.minimum(edge_indices, len(probs) - 1)
    upper = np.sort(probs)[edge_indices][1:]
    # get_calibration_error, l2
    idx = np.digitize(probs, upper)
    sums = np.bincount(idx, weights=probs, minlength=num_bins).astype(np.float64)
    counts = np.bincount(idx, minlength=num_bins) + np.finfo(np.float64).eps
    err = np.bincount(idx, weights=labels_matrix, minlength=num_bins) / counts - sums / counts
    l2 = np.sqrt(np.sum(np.square(err * counts / float(len(probs)))))
    return float(np.sqrt(l2))


def figures(samples):
    P = [softmax(s["loglikelihoods"]) for s in samples]
    conf = np.array([p.max() for p in P])
    correct = np.array([s["pred"] == s["target"] for s in samples], dtype=int)
    b = np.minimum(np.floor(conf * 10).astype(int), 9)
    ece = sum((b == i).mean() * abs(correct[b == i].mean() - conf[b == i].mean()) for i in range(10) if (b == i).any())
    brier = float(np.mean([((p - np.eye(len(p))[s["target"]]) ** 2).sum() for p, s in zip(P, samples)]))
    return float(ece), brier, rmsce(correct, conf)


out = {}
ece, brier, rms = figures(data["samples"])
out.update(ece=ece, brier=brier, rms_calibration_error=rms)
out["rms_calibration_error_by_group"] = {
    g: figures([s for s in data["samples"] if s["subject"] in members])[2] for g, members in data["groups"].items()
}
n = max(len(s["loglikelihoods"]) for s in data["samples"])
pred = np.bincount([s["pred"] for s in data["samples"]], minlength=n)
gold = np.bincount([s["target"] for s in data["samples"]], minlength=n)
hits = np.bincount([s["target"] for s in data["samples"] if s["pred"] == s["target"]], minlength=n)
recall = [float(hits[i] / gold[i]) if gold[i] else None for i in range(n)]
out["answer_distribution"] = dict(
    predicted=pred.tolist(), gold=gold.tolist(), recall=recall, rstd=float(np.std([r for r in recall if r is not None]))
)
print(json.dumps(out))
