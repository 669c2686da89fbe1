"""The class-vs-model statistics recomputed with numpy (for test/unit/classQuiz.test.ts).

stdin: {"answers": [gold], "subjects": [str], "sheets": [[pick or -1]], "lls": [[loglikelihood]]}
"""
import json
import sys

import numpy as np

req = json.load(sys.stdin)
gold = np.array(req["answers"])
sheets = np.array(req["sheets"])  # students × questions
n_choices = [len(l) for l in req["lls"]]
counts = [[int(np.sum(sheets[:, i] == c)) for c in range(k)] for i, k in enumerate(n_choices)]
answered = (sheets >= 0).sum(axis=0)
right = sheets == gold[None, :]
class_right = [float(right[:, i].sum() / answered[i]) if answered[i] else None for i in range(len(gold))]
probs = [list(np.exp(np.array(l) - np.max(l)) / np.exp(np.array(l) - np.max(l)).sum()) for l in req["lls"]]
model_right = np.array([int(np.argmax(l) == g) for l, g in zip(req["lls"], gold)])
subjects = {}
for s in dict.fromkeys(req["subjects"]):
    idx = [i for i, x in enumerate(req["subjects"]) if x == s]
    subjects[s] = [float(right[:, idx].mean()), float(model_right[idx].mean())]
json.dump(
    {
        "counts": counts,
        "class_right": class_right,
        "class_accuracy": float(right.mean(axis=1).mean()),
        "model_accuracy": float(model_right.mean()),
        "probs": [[float(p) for p in row] for row in probs],
        "subjects": subjects,
    },
    sys.stdout,
)
