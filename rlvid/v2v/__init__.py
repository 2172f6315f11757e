"""RL-V2V-GAN (Ma, Klabjan, Utke 2024) and its baselines, one concern a module:

- :mod:`rlvid.v2v.methods`: the methods' registry (names, display names, trainers, steps,
  experiments);
- :mod:`rlvid.v2v.losses`: eqs. (1)-(10);
- :mod:`rlvid.v2v.algorithm1`: the RL-V2V-GAN trainer (GAN pretraining, then Algorithm 1;
  the DDPG update itself is :func:`rlvid.rl.ddpg.ddpg_update`);
- :mod:`rlvid.v2v.baselines`: CycleGAN and Recycle-GAN;
- :mod:`rlvid.v2v.training_parts`: what those two share (training tensors, Adam, freezing);
- :mod:`rlvid.v2v.train`: :func:`~rlvid.v2v.train.fit` through the harness, run
  directories, saved translators;
- :mod:`rlvid.v2v.evaluate`: the synthetic set's metrics and windowed translation;
- :mod:`rlvid.v2v.experiment`: every method with every seed (parallel fits, then scores);
- :mod:`rlvid.v2v.style`, :mod:`rlvid.v2v.style_data`: the flower, city and own-video
  experiments;
- :mod:`rlvid.v2v.paper`: the paper's own statements that claims and tables quote.
"""
