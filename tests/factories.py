"""factory_boy factories shared by the whole suite."""

import factory
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    password = factory.django.Password("mat-khau-thu-123")


def operator_create(username: str = "vanhanh", **extra):
    """A market operator as in production: an operator-group member with the
    group's permissions, not a superuser."""
    from market.services.sellers import operator_group_ensure

    user = UserFactory(username=username, **extra)
    user.groups.add(operator_group_ensure())
    return user
