"""Right and wrong predictions for the predict-then-run questions of lessons 04, 10, 11 and 12.

Each row is ``((prediction, what the engine did), right)``, for the question's pure ``compare_*``
function: the prediction as a learner types it (a number, digits or a word in quotes, True, None, a
set...), the engine's answer as the question's action returns it.
"""
from __future__ import annotations

NAN = float("nan")

# nb04.compare_pull_layers(guess, downloaded): how many layers a second pull of alpine downloads
PULL_LAYERS_ROWS = [((g, n), True) for g, n in [
    (0, 0), (0.0, 0), ("0", 0), (" 0 ", 0), ("zero", 0), ("Zero", 0), ("none", 0), ("None", 0), ("nothing", 0),
    ("0\n", 0), ("0 layers", 0), ("no layers", 0), ("1 layer", 1), (1, 1), ("1", 1), (1.0, 1), ("one", 1),
    (2, 2), ("two", 2), (3, 3)]] + [
    ((g, n), False) for g, n in [
    (1, 0), (2, 0), ("1", 0), ("one", 0), ("three", 0), (True, 0), (False, 0), (None, 0), (..., 0), (-1, 0),
    (0.5, 0), (NAN, 0), (3.6, 0), ([0], 0), ({"0"}, 0), ("0.0", 0), ("-0", 0), (0, 1), (2, 1), ("layers", 0),
    ("1 layers", 0)]]

# nb10.compare_rebuilt(guess, rebuilt): how many steps a rebuild runs again when only CMD changed
REBUILT_ROWS = [((g, n), True) for g, n in [
    (0, 0), ("0", 0), (0.0, 0), ("zero", 0), ("ZERO", 0), ("none", 0), ("nothing", 0), (" 0", 0), ("none ", 0),
    (1, 1), ("1", 1), ("one", 1), (3, 3), ("three", 3), (3.0, 3), (2, 2), ("1 step", 1), ("no steps", 0)]] + [
    ((g, n), False) for g, n in [
    (1, 0), (2, 0), (3, 0), (4, 0), ("2", 0), ("two", 0), ("all", 0), ("CACHED", 0), (True, 0), (False, 0),
    (None, 0), (-1, 0), (1.5, 0), (NAN, 0), ([0], 0), ((0,), 0), (0, 1), (4, 3), ("2 steps", 0),
    ("0 containers", 0)]]

# nb11.compare_no_port(guess, host_port): the host port of nginx run with no -p ("none": no port)
NO_PORT_ROWS = [((g, p), True) for g, p in [
    ("none", "none"), ("None", "none"), (" none ", "none"), ("no port", "none"), ("no  port", "none"),
    ("nothing", "none"), ("no", "none"), ("NO PORT", "none"), ("not published", "none"), ("no host port", "none"),
    ("nowhere", "none"), (0, "none"), ("0", "none"), (0.0, "none"), ("no ports", "none"),
    (32768, 32768), ("32768", 32768), (8080.0, 8080)]] + [
    ((g, p), False) for g, p in [
    (80, "none"), ("80", "none"), (80.0, "none"), (8080, "none"), ("8080", "none"), (8081, "none"), (True, "none"),
    (False, "none"), (None, "none"), (-1, "none"), (70000, "none"), ("eighty", "none"), ("127.0.0.1:8080", "none"),
    ("80/tcp", "none"), ([80], "none"), (80.5, "none"), (NAN, "none"), ("none", 32768), (80, 32768),
    ("any", "none")]]

# nb12.compare_kept(guess, found): which file a new container finds after docker rm
KEPT_PREDICT_ROWS = [((g, f), True) for g, f in [
    ("volume", "volume"), ("Volume", "volume"), (" volume ", "volume"), ("VOLUME", "volume"),
    ("the volume", "volume"), ("named volume", "volume"), ("the named volume", "volume"),
    ("/data/notes.txt", "volume"), ("/data", "volume"), ({"volume"}, "volume"), (["volume"], "volume"),
    (("volume",), "volume"), ({"/data/notes.txt"}, "volume"), (frozenset({"volume"}), "volume"), ("both", "both"),
    ({"volume", "layer"}, "both"), ("neither", "neither"), (set(), "neither")]] + [
    ((g, f), False) for g, f in [
    ("layer", "volume"), ("both", "volume"), ("neither", "volume"), ("none", "volume"), ({"layer"}, "volume"),
    ({"volume", "layer"}, "volume"), (["volume", "layer"], "volume"), ("/notes.txt", "volume"), ("bind", "volume"),
    (True, "volume"), (None, "volume"), (1, "volume"), ("yes", "volume"), ("the writable layer", "volume"),
    ({"volume", "bind"}, "volume"), ({"both"}, "volume"), ("volume", "both"), (["volume", 1], "volume"),
    ("volumen", "volume"), ("the container", "volume")]]

# nb13.compare_rm(guess, what the engine did): `docker rm` (no -f) of a running container ("refused")
RM_ROWS = [((g, "refused"), True) for g in [
    "refused", "Refused", "REFUSED", " refused ", "refused.", "it refuses", "refuses", "error", "an error",
    "fails", "it fails", "nothing", "no", "stays", "it stays", "kept", "not removed", "refuse!"]] + [
    ((g, "refused"), False) for g in [
    "removed", "Removed", "removes it", "it is removed", "gone", "deleted", "yes", "stopped and removed",
    "", "   ", "maybe", "it stops", "409", True, False, None, ..., 0, 1, ["refused"], {"refused"}]] + [
    (("removed", "removed"), True), (("refused", "removed"), False)]

# nb15.compare_rm(guess, whether the image still holds the file a later RUN rm removed: True)
STILL_THERE_ROWS = [((g, True), True) for g in [
    True, "True", "true", "TRUE", " true ", "yes", "Yes", "YES", " yes", "yes "]] + [
    ((g, False), True) for g in [False, "False", "false", "no", "No"]] + [
    ((g, True), False) for g in [
    False, "False", "no", "No", "maybe", "", "   ", None, ..., 1, 0, "y", "n", ["True"], {"yes"}, "True False",
    "still there", 2]] + [((g, False), False) for g in [True, "yes", "true"]]
