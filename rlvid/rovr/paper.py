"""The ROVR paper's own numbers, which the tables, figures and claims set ours beside.

Table 1 (local network Gamma, MSE mean and std with best / worst / random conditioning
pairs), Table 2 (average perceptual loss and optical-flow recovery O per policy) and the
poster's flow recovery over 20 rollouts; plus the labels of our Table 2 rows.
"""

from __future__ import annotations

PAPER_TABLE1 = {"best": (16_933, 1_594), "worst": (20_406, 1_257), "random": (19_827, 1_655)}
PAPER_TABLE2 = {  # (average perceptual loss, optical flow recovery), ROVR Table 2
    "rovr_flow_cold": (19_156, 0.598), "rovr_noflow_warm": (19_348, 0.434),
    "rovr_flow_warm": (18_681, 0.627), "imitation_bce": (19_270, 0.494),
    "sequential": (19_147, 0.478),
}
POSTER_FLOW_RECOVERY = {"sequential": 0.478, "rovr_flow_warm": 0.654}  # poster, 20 rollouts
TABLE2_LABELS = {
    "rovr_flow_cold": "ROVR: flow reward, cold start",
    "rovr_noflow_warm": "ROVR: no flow reward, warm start",
    "rovr_flow_warm": "ROVR: flow reward, warm start",
    "imitation_bce": "Imitation learning only (BCE, §6.2)",
    "imitation_contrastive": "Imitation only, contrastive (§8; ours)",
    "sequential": "Sequential (t-1, t-2) = vid2vid",
    "random": "Random pairs (ours)",
    "oracle": "Oracle best pair (ours)",
    "rovr_flow_warm_pretrained_local": "ROVR flow+warm policy, pretrained Gamma (ours)",
}

