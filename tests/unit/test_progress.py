"""The engine's progress messages, typed once in the engine layer (messages a real engine sent)."""
from dockerlab.engine.progress import Progress

DIGEST = "sha256:" + "ab" * 32


def test_pull_messages():
    start = Progress.of({"status": "Pulling from library/alpine", "id": "latest"})
    assert start.starts and start.layer == "latest" and not start.failed
    dl = Progress.of({"status": "Downloading", "progressDetail": {"current": 1048576, "total": 3623807},
                      "progress": "[=====>   ]  1.049MB/3.624MB", "id": "9824c27679d3"})
    assert (dl.status, dl.layer, dl.current, dl.total) == ("Downloading", "9824c27679d3", 1048576, 3623807)
    assert not dl.layer_done and not dl.summary
    done = Progress.of({"status": "Pull complete", "progressDetail": {}, "id": "9824c27679d3"})
    assert done.layer_done and done.current == 0
    assert Progress.of({"status": "Status: Downloaded newer image for alpine:latest"}).summary
    assert Progress.of({"status": f"Digest: {DIGEST}"}).digest == DIGEST


def test_errors_read_the_message_whichever_field_holds_it():
    both = Progress.of({"errorDetail": {"message": "manifest unknown"}, "error": "manifest for x:1 not found"})
    assert both.failed and both.error == "manifest for x:1 not found"
    detail_only = Progress.of({"errorDetail": {"message": "toomanyrequests: You have reached your pull rate limit"}})
    assert detail_only.failed and detail_only.error.startswith("toomanyrequests")


def test_push_and_load_messages():
    mounted = Progress.of({"status": "Mounted from library/alpine", "progressDetail": {}, "id": "63ec0bd56cf3"})
    assert mounted.layer_done
    end = Progress.of({"status": f"v1: digest: {DIGEST} size: 528", "progressDetail": {}})
    assert end.summary and end.digest == DIGEST and not end.layer_done
    loaded = Progress.of({"stream": "Loaded image: 127.0.0.1:5000/library/busybox:latest\n"})
    assert loaded.loaded == "127.0.0.1:5000/library/busybox:latest" and loaded.status.startswith("Loaded image")
    by_id = Progress.of({"stream": f"Loaded image ID: {DIGEST}\n"})
    assert by_id.loaded == DIGEST


def test_an_unknown_shape_is_kept_as_text_never_an_exception():
    assert Progress.of("half a line").status == "half a line"
    assert Progress.of({"progressDetail": None, "id": None}) == Progress()


def test_build_messages():
    # a real engine's build of "FROM alpine / RUN echo hi", and of "RUN exit 3" (Engine 20.10, the legacy builder)
    step = Progress.of({"stream": "Step 2/2 : RUN echo hi"})
    assert step.stream == "Step 2/2 : RUN echo hi" and not step.image_id and not step.failed
    assert Progress.of({"stream": "\n"}).stream == "\n"  # a line's end comes as a piece of its own
    made = Progress.of({"aux": {"ID": DIGEST}})
    assert made.image_id == DIGEST and made.stream == "" and not made.loaded
    failed = Progress.of({"errorDetail": {"code": 3, "message": "The command '/bin/sh -c exit 3' returned a "
                                                                "non-zero code: 3"},
                          "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"})
    assert failed.failed and failed.error.endswith("non-zero code: 3") and failed.stream == ""
    assert Progress.of({"aux": "not a dict"}).image_id == ""
