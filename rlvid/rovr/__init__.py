"""ROVR (Prasad, Tandon, Vikram): masked-video inpainting with a learned choice of two
conditioning frames, by concern (§ = the paper's sections):

- :mod:`.methods`: the methods' registry (Table 1's pairs, the selectors, Table 2's
  policies and their labels, the scaling study's selectors, Γ's regimes);
- :mod:`.paper`: the paper's own numbers (Tables 1 and 2, the poster);
- :mod:`.losses`: L_R = lambda L_P + (1 - lambda) MSE (eq. 1) and the lambda schedule;
- :mod:`.pairs`: random, sequential and labelled conditioning pairs, and k-sets (k > 2
  conditioning frames, §8's future work: ``rovr.conditioning_frames``);
- :mod:`.dataset`: the masked-video task of §4 (``masked_set``);
- :mod:`.nets`: Gamma, pi and V built from the ROVR config, and loaded from a stage's state;
- :mod:`.runs`: the stages' run directories;
- :mod:`.stage_runner`: one stage through :func:`rlvid.harness.train`;
- :mod:`.env`: the MDP (§5.1, :class:`~rlvid.rovr.env.InpaintEnv`) and flow recovery O;
- :mod:`.selectors`: conditioning policies and a rollout of one (``run_selector``);
- :mod:`.local`: stage 1, pretraining Gamma (§6.1);
- :mod:`.imitation`: stage 2, the imitation warm start (§6.2, §8);
- :mod:`.ppg_stage`: stage 3, end-to-end PPG (§6.3; the update is :mod:`rlvid.rl.ppg`);
- :mod:`.stages`: ``train_stage`` for ``rlvid train rovr``;
- :mod:`.evaluate`: metrics, Table 1's pairs, valid-pair rates;
- :mod:`.tables`: Tables 1 and 2, seeds in parallel (notebooks 20, 21);
- :mod:`.inference`: ``inpaint_video`` and ``auto_masks`` for ``rlvid inpaint``;
- :mod:`.figures`: Figure 3's choice map and Figure 6's context overlay.
"""
