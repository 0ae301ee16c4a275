"""vot-toolkit experiment types that run single-object TraX trackers in vot-toolkit 0.8.0-0.9.0.

The stacks written by :mod:`pytracking.vot.workspace` name these classes as experiment ``type`` (the toolkit imports
a dotted class name it does not know, ``vot.stack.experiment_resolver``); the toolkit's own analyses score them,
since they subclass its experiments. Why they are needed (vot-toolkit 0.8.0-0.9.0, read from its code):

- ``SupervisedExperiment`` calls ``runtime.initialize(frame, ObjectStatus)`` and ``runtime.update(frame)``, while the
  TraX runtime of a single-object tracker demands a one-element list on initialise (else "Tracker does not support
  multiple objects, but multiple objects were provided for initialization") and an empty list on update, and
  returns a list where the experiment reads one object. 0.7.x wrapped every runtime in a single-object adapter;
  0.8.0 removed it. :class:`SingleObjectRuntime` puts that adapter back.
- ``MultiStartExperiment.execute`` builds ``ObjectQuery(ObjectStatus, {}, anchor)`` ("ObjectQuery.state must be a
  Region"), and past that would index the run's times and regions wrongly. :class:`MultiStartExperiment` runs each
  anchor through the same adapter, as 0.7.x did: initialise on the anchor frame, update to the end (or back to 0).

Results are written by the toolkit's own ``Trajectory`` (same names, ``.bin`` or ``.txt`` per ``VOT_RESULTS_BINARY``
and ``_time.value`` files), so ``vot analysis``, ``vot report`` and ``python -m votTester.analysis`` read them.
With vot-toolkit 0.7.x the plain types (``supervised``, ``multistart``) work and these classes are not needed.
"""
from __future__ import annotations

from vot.experiment.multirun import SupervisedExperiment as _ToolkitSupervised
from vot.experiment.multistart import MultiStartExperiment as _ToolkitMultiStart
from vot.experiment.multistart import find_anchors
from vot.dataset.proxy import FrameMapSequence
from vot.region import Special
from vot.tracker import ObjectStatus, OnlineTrackerRuntime, RealtimeTrackerRuntime, Trajectory
from vot.utilities import to_number


def _one(status):
    """The single object of a runtime answer (a list of ``ObjectStatus``, a ``FrameResult`` or one status)."""
    if isinstance(status, ObjectStatus):
        return status
    if len(status) != 1:
        raise ValueError(f"a single-object experiment got {len(status)} objects from the tracker")
    return status[0]


class SingleObjectRuntime(OnlineTrackerRuntime):
    """Adapter: one ``ObjectStatus`` in and out, lists towards the wrapped TraX runtime (single- or multi-object)."""

    def __init__(self, runtime: OnlineTrackerRuntime):
        super().__init__(runtime.tracker)
        self._runtime = runtime

    def initialize(self, frame, new=None, properties=None):
        objects = [new] if isinstance(new, ObjectStatus) else list(new or [])
        status, elapsed = self._runtime.initialize(frame, objects)
        return _one(status), elapsed

    def update(self, frame, new=None, properties=None):
        status, elapsed = self._runtime.update(frame, [])
        return _one(status), elapsed

    def restart(self):
        self._runtime.restart()

    def stop(self):
        self._runtime.stop()

    @property
    def multiobject(self):
        return False


def _adapted_runtime(experiment, tracker, sequence):
    """The adapter around the tracker's runtime, inside the realtime wrapper when the stack asks for realtime."""
    runtime = SingleObjectRuntime(tracker.runtime())
    if experiment.realtime is None:
        return runtime
    grace = to_number(experiment.realtime.grace, min_n=0)
    fps = to_number(experiment.realtime.fps, min_n=0, conversion=float)
    return RealtimeTrackerRuntime(runtime, grace, 1 / float(sequence.metadata("fps", fps)))


class SupervisedExperiment(_ToolkitSupervised):
    """The toolkit's supervised (reset) experiment with the single-object adapter (stack ``type`` of this class)."""

    def _get_runtime(self, tracker, sequence, multiobject=False):
        return _adapted_runtime(self, tracker, sequence)


class MultiStartExperiment(_ToolkitMultiStart):
    """The toolkit's VOT2020 anchor experiment, each anchor run through the single-object adapter."""

    def _get_runtime(self, tracker, sequence, multiobject=False):
        return _adapted_runtime(self, tracker, sequence)

    def execute(self, tracker, sequence, force: bool = False, callback=None) -> None:
        results = self.results(tracker, sequence)
        forward, backward = find_anchors(sequence, self.anchor)
        if not forward and not backward:
            raise RuntimeError("Sequence does not contain any anchors")
        runs = [(a, False) for a in forward] + [(a, True) for a in backward]
        with self._get_runtime(tracker, sequence) as runtime:
            for done, (anchor, reverse) in enumerate(runs, start=1):
                name = f"{sequence.name}_{anchor:08d}"
                if Trajectory.exists(results, name) and not force:
                    continue
                frames = list(reversed(range(0, anchor + 1))) if reverse else list(range(anchor, len(sequence)))
                proxy = FrameMapSequence(sequence, frames)
                trajectory = Trajectory(len(proxy))
                _, elapsed = runtime.initialize(proxy.frame(0), self._get_initialization(proxy, 0))
                trajectory.set(0, Special(Trajectory.INITIALIZATION), {"time": elapsed})
                for frame in range(1, len(proxy)):
                    status, elapsed = runtime.update(proxy.frame(frame))
                    trajectory.set(frame, status.region, {**status.properties, "time": elapsed})
                trajectory.write(results, name)
                if callback:
                    callback(done / len(runs))
