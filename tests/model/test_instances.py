from __future__ import annotations

import numpy as np

from unetops.model.instances import (
    BORDER,
    INTERIOR,
    InstanceParams,
    choose_instance_params,
    instance_targets,
    instances_from_maps,
    object_f1,
)


def touching_pair() -> np.ndarray:
    labels = np.zeros((20, 30), np.int32)
    labels[4:14, 4:14], labels[4:14, 14:24] = 1, 2  # two 10 x 10 nuclei sharing an edge
    return labels


def perfect_maps(labels: np.ndarray) -> np.ndarray:
    target = instance_targets(labels)
    return np.stack([target == k for k in range(3)]).astype(np.float32)


def test_the_target_parts_touching_nuclei_by_a_border() -> None:
    target = instance_targets(touching_pair())
    assert target[8, 13] == BORDER and target[8, 14] == BORDER  # both sides of the shared edge
    assert target[4, 8] == BORDER and target[8, 8] == INTERIOR and target[0, 0] == 0
    assert (target[4:14, 4:24] > 0).all()


def test_perfect_outputs_give_the_true_instances_back() -> None:
    labels = touching_pair()
    found = instances_from_maps(perfect_maps(labels), InstanceParams())
    assert found.max() == 2 and object_f1(found, labels) == 1.0
    assert ((found > 0) == (labels > 0)).all()  # border pixels go to their nucleus, none lost


def test_foreground_without_a_seed_is_a_nucleus_of_its_own() -> None:
    maps = np.zeros((3, 10, 10), np.float32)
    maps[0] = 1.0
    maps[:, 2:4, 2:4] = [[[0.0]], [[0.0]], [[1.0]]]  # a tiny object that is all border
    found = instances_from_maps(maps, InstanceParams())
    assert found.max() == 1 and (found > 0).sum() == 4


def test_thresholds_are_chosen_for_the_best_object_f1() -> None:
    labels = touching_pair()
    maps = perfect_maps(labels)
    maps[INTERIOR] *= 0.45  # seeds only show below 0.45: higher marker thresholds find no seed and merge
    maps[BORDER] += 1 - maps.sum(axis=0) - 0  # keep the classes summing to one
    params, f1 = choose_instance_params([maps], [labels])
    assert f1 == 1.0 and params.marker_threshold < 0.45
    merged = instances_from_maps(maps, params.model_copy(update={"marker_threshold": 0.8}))
    assert object_f1(merged, labels) < 1.0


def test_object_f1() -> None:
    labels = touching_pair()
    merged = (labels > 0).astype(np.int32)
    assert object_f1(labels, labels) == 1.0 and object_f1(merged, labels) == 0.0
    assert object_f1(np.zeros_like(labels), np.zeros_like(labels)) == 1.0


def test_the_foreground_threshold_is_the_one_with_the_best_pixel_dice() -> None:
    labels = touching_pair()
    maps = perfect_maps(labels) * 0.65  # nuclei: P(background) 0.35
    maps[0] = np.where(labels > 0, 0.35, 0.85)  # background: P(background) 0.85, so foreground 0.15
    params, _ = choose_instance_params([maps], [labels])
    assert params.foreground_threshold == 0.2  # 0.1 takes the background in, 0.2 to 0.6 are exact: the first
