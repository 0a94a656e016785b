"""Task pages: the sheets (工作单) of the issuer and the assignments of the recipients.
Mounted at ``/tasks/``."""

from django.urls import path

from .views import assignments, tasks

urlpatterns = [
    path("", tasks.task_list, name="task_list"),
    path("add/", tasks.task_create, name="task_create"),
    path("<int:pk>/", tasks.task_detail, name="task_detail"),
    path("<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("<int:pk>/dispatch/", tasks.task_dispatch, name="task_dispatch"),
    path("<int:pk>/close/", tasks.task_close, name="task_close"),
    path("<int:pk>/delete/", tasks.task_delete, name="task_delete"),
    path("files/<int:pk>/", tasks.task_file, name="task_file"),
    path("inbox/", assignments.assignment_inbox, name="assignment_inbox"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/submit/", assignments.assignment_submit, name="assignment_submit"),
    path("assignments/<int:pk>/review/", assignments.assignment_review, name="assignment_review"),
    path(
        "assignments/<int:pk>/pass-down/",
        assignments.assignment_pass_down,
        name="assignment_pass_down",
    ),
    path("feedback-files/<int:pk>/", assignments.feedback_file, name="feedback_file"),
]
