"""Tasks run by the task worker (`manage.py task_worker`), or at once with TASKS_BACKEND=immediate."""

from django.tasks import task

from .outbox import queue as outbox


@task()
def deliver_email(email_id: int) -> str:
    """Send one email of the outbox, unless it is sent, cancelled, not yet due or being sent already."""
    return outbox.deliver(email_id)
