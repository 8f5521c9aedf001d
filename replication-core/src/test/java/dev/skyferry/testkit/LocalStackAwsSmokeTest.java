package dev.skyferry.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The AWS smoke tests against LocalStack; skipped, with the reason shown, where no Docker engine runs. */
@RequiresDocker
class LocalStackAwsSmokeTest extends AwsSmokeContract {

    private static LocalStackAws localStack;

    @BeforeAll
    static void startLocalStack() {
        localStack = LocalStackAws.start();
    }

    @AfterAll
    static void stopLocalStack() {
        if (localStack != null) {
            localStack.close();
        }
    }

    @Override
    protected AwsServices aws() {
        return localStack;
    }
}
