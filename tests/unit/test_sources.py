"""An event's source: a notebook path on the server's disk becomes the contents API's path."""

import os

import pytest

from jupyter_push.server.sources import api_path, with_api_path

ROOT = os.path.join(os.sep, "srv", "notebooks")


@pytest.mark.parametrize("path, expected", [
    (os.path.join(ROOT, "runs", "may", "train.ipynb"), "runs/may/train.ipynb"),
    (os.path.join(ROOT, "train.ipynb"), "train.ipynb"),
    ("runs/may/train.ipynb", "runs/may/train.ipynb"),  # already the API path
    (os.path.join(os.sep, "srv", "other", "x.ipynb"), os.path.join(os.sep, "srv", "other",
                                                                     "x.ipynb")),  # outside
    (os.path.join(os.sep, "srv", "notebooks-old", "x.ipynb"),
     os.path.join(os.sep, "srv", "notebooks-old", "x.ipynb")),  # a sibling sharing a prefix
    (ROOT, ROOT),  # the root itself names no notebook
])
def test_api_path(path, expected):
    assert api_path(path, ROOT) == expected


def test_without_a_known_root_the_path_is_kept():
    assert api_path(os.path.join(ROOT, "a.ipynb"), None) == os.path.join(ROOT, "a.ipynb")


def test_only_the_path_of_a_source_changes_and_only_when_it_must():
    source = {"kernel": "k", "path": os.path.join(ROOT, "a.ipynb"), "cell": "c"}
    assert with_api_path(source, ROOT) == {"kernel": "k", "path": "a.ipynb", "cell": "c"}
    plain = {"kernel": "k", "path": "a.ipynb"}
    assert with_api_path(plain, ROOT) is plain
    assert with_api_path({"link": "x"}, ROOT) == {"link": "x"}
