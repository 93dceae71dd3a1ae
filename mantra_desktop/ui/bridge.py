"""Run coroutines for widgets: the one bridge between Qt slots and asyncio.

Widgets hold no ``async def``. They call :meth:`AsyncRunner.run` with an
action name and a coroutine; the runner keeps a reference to the task,
cancels the previous run of the same action (a new search cancels the old
one), hands the result to a callback, and sends every failure to one place:
the ``failed`` signal, which the main window shows, and the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from mantra_desktop.ui.errors import user_message

logger = logging.getLogger(__name__)

T = TypeVar("T")


class AsyncRunner(QObject):
    """Runs named coroutines on the qasync loop.

    Signals:
        failed(str, str): an action failed; its name and a message for the user.
        busy_changed(bool): whether any action is running.
    """

    failed = Signal(str, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def run(
        self,
        action: str,
        coroutine: Coroutine[Any, Any, T],
        *,
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        replace: bool = True,
    ) -> asyncio.Task[T]:
        """Start ``coroutine`` as the current run of ``action``.

        With ``replace`` the previous run of the same action is cancelled; its
        callbacks are not called. ``on_error`` replaces the common error
        display for this run.
        """
        previous = self._tasks.get(action)
        if previous is not None and not previous.done():
            if replace:
                previous.cancel()
            else:
                coroutine.close()
                return previous
        task = asyncio.ensure_future(coroutine)
        self._tasks[action] = task
        task.add_done_callback(
            lambda finished: self._finished(action, finished, on_result, on_error)
        )
        self.busy_changed.emit(True)
        return task

    def is_running(self, action: str) -> bool:
        task = self._tasks.get(action)
        return task is not None and not task.done()

    def cancel(self, action: str) -> None:
        task = self._tasks.get(action)
        if task is not None and not task.done():
            task.cancel()

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            if not task.done():
                task.cancel()

    def _finished(
        self,
        action: str,
        task: asyncio.Task[Any],
        on_result: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        if self._tasks.get(action) is task:
            del self._tasks[action]
        if not self._tasks:
            self.busy_changed.emit(False)
        if task.cancelled():
            logger.debug("Cancelled %s", action)
            return
        error = task.exception()
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                self.failed.emit(action, user_message(error, action))
            return
        if on_result is not None:
            try:
                on_result(task.result())
            except Exception as callback_error:
                self.failed.emit(action, user_message(callback_error, action))


async def dialog_result(dialog: QDialog) -> int:
    """Open ``dialog`` window-modally and wait for its result without blocking.

    ``QDialog.exec()`` would start a nested event loop; this keeps the one
    qasync loop running and resumes the coroutine when the dialog finishes.
    """
    finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def resolve(code: int) -> None:
        if not finished.done():
            finished.set_result(code)

    dialog.finished.connect(resolve)
    dialog.open()
    return await finished
