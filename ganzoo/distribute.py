"""``tf.distribute`` strategies selected by name: default, mirrored, multi_worker, tpu."""

import json
import os

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def check_strategy_name(name):
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; valid strategies: {', '.join(STRATEGIES)}")


def get_strategy(name):
    """The strategy named ``name``; ValueError with the fix when the environment lacks it.

    - ``default``: one device (the first GPU if any, else the CPU).
    - ``mirrored``: every local GPU (or the CPU's logical devices), all-reduce of gradients.
    - ``multi_worker``: MultiWorkerMirroredStrategy over the cluster in ``TF_CONFIG``.
    - ``tpu``: TPUStrategy over the TPU named by ``TPU_NAME`` or attached to this VM.
    """
    import tensorflow as tf

    check_strategy_name(name)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        raw = os.environ.get("TF_CONFIG")
        if not raw:
            raise ValueError(
                "--strategy multi_worker needs TF_CONFIG describing the cluster, e.g. "
                '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}'
            )
        try:
            spec = json.loads(raw)
            spec["cluster"]["worker"], spec["task"]["index"]
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"TF_CONFIG is not a valid cluster spec: {raw!r}") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    # tpu: only try where a TPU can be: asking the cloud metadata server elsewhere would hang
    if not (os.environ.get("TPU_NAME") or os.path.exists("/dev/accel0") or os.path.exists("/dev/vfio")):
        raise ValueError("--strategy tpu: no TPU found (set TPU_NAME, or run on a TPU VM)")
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=os.environ.get("TPU_NAME", "local"))
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """True on the one worker that writes checkpoints and pictures."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief
