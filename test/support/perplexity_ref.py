"""lm-eval's loglikelihood_rolling bookkeeping in plain Python, written from lm-evaluation-harness
v0.4.12 (same at v0.4.9.2): lm_eval/utils.py get_rolling_token_windows(token_list, prefix_token,
max_seq_len, context_len=1) and make_disjoint_window; lm_eval/models/huggingface.py
_loglikelihood_tokens' model input (context + continuation)[-(max_length + 1):][:-1];
lm_eval/api/task.py count_words (len(re.split(r"\\s+", doc))) and count_bytes
(len(doc.encode("utf-8"))); lm_eval/api/metrics.py weighted_perplexity and bits_per_byte.

stdin: {"windows": [{"tokens": [...], "prefix": id, "max_len": n}],
        "counts": [text, ...],
        "metrics": [{"ll": float, "text": str}, ...]}
stdout: {"windows": [[{"input": [...], "pred": [...]}]], "counts": [[words, bytes]],
         "metrics": {"word_perplexity", "byte_perplexity", "bits_per_byte"}}
"""
import json
import math
import re
import sys


def rolling(token_list, prefix_token, max_seq_len, context_len=1):
    if not token_list:
        return
    pred_len = max_seq_len - context_len + 1
    predicted = 0
    first_seq_len = min(max_seq_len, len(token_list))
    yield [prefix_token] + token_list[: first_seq_len - 1], token_list[:first_seq_len]
    predicted += first_seq_len
    while predicted < len(token_list):
        window_pred_len = min(len(token_list) - predicted, pred_len)
        window_end = predicted + window_pred_len
        yield (
            token_list[window_end - max_seq_len - 1 : window_end - 1],
            token_list[window_end - window_pred_len : window_end],
        )
        predicted += window_pred_len


def disjoint(pair):
    a, b = pair
    return a[: len(a) - (len(b) - 1)], b


def model_input(context, continuation, max_length):
    return (context + continuation)[-(max_length + 1) :][:-1]


def counts(doc):
    return len(re.split(r"\s+", doc)), len(doc.encode("utf-8"))


def main():
    req = json.load(sys.stdin)
    windows = []
    for w in req["windows"]:
        pairs = [disjoint(p) for p in rolling(w["tokens"], w["prefix"], w["max_len"])]
        windows.append([{"input": model_input(c, p, w["max_len"]), "pred": p} for c, p in pairs])
    out = {"windows": windows, "counts": [counts(t) for t in req["counts"]]}
    if req.get("metrics"):
        lls = [m["ll"] for m in req["metrics"]]
        words = [counts(m["text"])[0] for m in req["metrics"]]
        nbytes = [counts(m["text"])[1] for m in req["metrics"]]
        out["metrics"] = {
            "word_perplexity": math.exp(-sum(lls) / sum(words)),
            "byte_perplexity": math.exp(-sum(lls) / sum(nbytes)),
            "bits_per_byte": -(sum(lls) / sum(nbytes)) / math.log(2),
        }
    json.dump(out, sys.stdout)


main()
