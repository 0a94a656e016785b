import tempfile
from pathlib import Path
from types import SimpleNamespace

from django.test import override_settings

from bench.jobs import check_bomb, prepare_bomb, run_bomb
from bench.worker import PeakMemory


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_bench_bomb_job(personas):
    ctx = SimpleNamespace(actor=personas.company, cache_dir=Path(tempfile.mkdtemp()))
    state = prepare_bomb(ctx)
    memory = PeakMemory()
    result = run_bomb(state)
    print(memory.read())
    check_bomb(state, result)
