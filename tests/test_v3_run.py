"""The V3 section of the synthetic page: known sentences from known seed rows."""

from __future__ import annotations

from rlvid.book.pages.v3_run import branches_plot, run_settings, v3_sentences


def _rows() -> list[dict]:
    values = {"pretrain_only": [0.3, 0.0, 0.25], "rlv2v": [0.4, 0.0, 0.2],
              "gan_continued": [0.3, 0.1, 0.2]}
    return [{"method": m, "seed": s, "gated_acc": v}
            for m, vs in values.items() for s, v in enumerate(vs)]


def test_sentences_count_seeds_above_the_floor_and_paired_wins() -> None:
    lines = v3_sentences(_rows(), ("unrelated Y video", 0.1), seeds_planned=5)
    assert lines[0] == "3 of 5 seeds have landed."
    assert "on 2 of 3 seeds (seeds 0, 2)." in lines[1]  # 0.3 and 0.25 beat 0.1; 0.0 does not
    assert lines[2].endswith("ends above it on 2 of 3 seeds.")  # rlv2v: 0.4, 0.2
    assert lines[3].endswith("ends above it on 2 of 3 seeds.")  # 0.1 ties the floor: not above
    assert lines[4].endswith("on 1 of 3 paired seeds (ties: 1).")  # 0.4 > 0.3; 0.0 < 0.1


def test_once_every_seed_landed_one_sentence_says_whether_the_task_was_learned() -> None:
    rows = _rows()
    assert len(v3_sentences(rows, ("flat", 0.1), seeds_planned=5)) == 5  # 3 of 5: no verdict
    learned = v3_sentences(rows, ("flat", 0.1), seeds_planned=3)[-1]
    assert "did not learn the task" in learned and "on 2 of 3 seeds, fewer than 3" in learned
    assert "learned the task at this budget: above the best trivial row on 3 of 3 seeds." in \
        v3_sentences(rows, ("flat", -0.1), seeds_planned=3)[-1]


def test_without_a_floor_only_the_count_is_said() -> None:
    assert v3_sentences(_rows(), None) == ["3 of 5 seeds have landed."]


def test_settings_are_read_from_the_provenance_and_the_plot_has_both_branches() -> None:
    prov = {"git_commit": "0123456789abcdef", "config": {"v2v": {
        "pretrain_iterations": 600, "lr": 1e-3, "rl_iterations": 1000}}}
    assert run_settings(prov) == {"commit": "0123456789", "pretraining steps": 600,
                                  "GAN lr": 1e-3, "DDPG updates": 1000}
    fig = branches_plot(_rows(), ("flat", 0.0))
    assert len(fig.axes[0].lines) == 3 * 2 + 1  # a line per seed and branch, and the floor


def test_the_plot_passes_the_books_figure_check() -> None:
    from rlvid.book.figure_check import figure_problems

    assert figure_problems(branches_plot(_rows(), ("unrelated_y", 0.0156))) == []
